"""The web application: Litestar controllers, Jinja templates, static files."""
