"""The phone app (pwa/) served at ``/``."""
