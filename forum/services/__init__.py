"""Use cases. Each takes a session and the acting user, flushes, and never commits."""
