"""Data only: the shipped English, Urdu and Roman Urdu lexicons (see README.md for sources)."""
