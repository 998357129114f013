"""Data only: the confusables table derived from Unicode TR39 (see README.md and the licence)."""
