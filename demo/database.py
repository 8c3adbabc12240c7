"""The demo's own database: created on the user's server when missing, then migrated."""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection


def prepare_database(*, reset: bool) -> bool:
    """Create (with `reset`: drop and create again) and migrate; return whether it is new."""
    name = connection.settings_dict["NAME"]
    quoted = connection.ops.quote_name(name)
    connection.close()
    # Django's own way to reach a server before its database exists (the test runner's).
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and reset:
            cursor.execute(f"DROP DATABASE {quoted} WITH (FORCE)")
        if reset or not exists:
            cursor.execute(f"CREATE DATABASE {quoted}")
    call_command("migrate", interactive=False, verbosity=0)
    return reset or not exists
