"""Invented demo data: the 13 real counties of Yuncheng, invented sites and users."""
