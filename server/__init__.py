"""ducha (督查): field inspection of poverty-relief resettlement sites."""

__version__ = "0.1.0"
