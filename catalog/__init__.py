"""CL Atlas catalog: schema, taxonomy, validation and the SQLite build."""

__version__ = "0.1.0"
