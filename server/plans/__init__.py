"""Unannounced supervision plans (四不两直): a monthly risk-weighted random draw of sites, kept secret
from the inspected side, released to each inspector's phone the day before."""
