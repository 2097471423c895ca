"""CL Atlas web app: FastAPI + Jinja2 pages and a JSON API over the built SQLite catalog.

The app only ever reads the database (opened read-only); the catalog build is
the single writer. See :func:`webapp.app.create_app`.
"""
