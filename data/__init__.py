"""The SQLAlchemy data layer: schema, queries, demo builder, importer."""
