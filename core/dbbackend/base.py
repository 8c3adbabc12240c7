"""Django's PostgreSQL backend, starting the embedded server on first connection.

Starting the server here rather than in settings keeps settings import free of disk
side effects, and means commands that never touch the database never start it.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base

from core import embedded_postgres
from core.dbbackend.client import DatabaseClient


class DatabaseWrapper(base.DatabaseWrapper):
    client_class = DatabaseClient

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = dict(super().get_connection_params() or {})
        params["host"] = embedded_postgres.socket_dir(self.settings_dict["EMBEDDED_DATA_DIR"])
        params.pop("port", None)
        return params
