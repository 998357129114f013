"""The text pipeline: pure Python, no Flask, no database (normalise → match → detect → verdict)."""
