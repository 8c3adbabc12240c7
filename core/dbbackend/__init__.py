"""Database engine for the embedded PostgreSQL server (used without DATABASE_URL)."""
