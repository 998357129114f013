"""WSGI entry point: `flask --app wsgi ...` and any WSGI server."""

from forum import create_app

app = create_app()
