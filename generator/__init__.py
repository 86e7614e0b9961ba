"""The manual as code: read → model → check → render."""
__version__ = "0.1.0"
