"""Who someone is: handles (and their look-alike keys), passwords, API tokens and the
keyed network fingerprints that stand in for addresses."""
