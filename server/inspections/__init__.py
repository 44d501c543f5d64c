"""Visits (inspections), arrival proof and the sync protocol."""
