"""Pinned JSON-LD contexts and 1EdTech JSON Schemas (see SOURCES.md)."""
