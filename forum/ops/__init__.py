"""Running Saheli: the `forum` command line, its commands, the gevent server, the seed data
and the logs (which never hold an address)."""
