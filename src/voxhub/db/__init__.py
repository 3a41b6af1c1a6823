"""The database: typed models, engine set-up per backend, Alembic migrations."""
