"""Hostile badge images (``from tests.invalid.images import make_hostile``)."""
