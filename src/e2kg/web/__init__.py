"""The HTTP face of e2kg: a Flask application (``app.create_app``) with one blueprint per module."""
