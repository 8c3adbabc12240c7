"""`manage.py dbshell` on the embedded server: its own psql, through its socket.

Django's client would run whatever `psql` is on PATH against HOST/PORT, i.e. a
PostgreSQL on 5432 if one happens to run, where the project's tables do not exist.
pgserver ships psql beside the server, so a fresh machine needs nothing else.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import client

from core import embedded_postgres


class DatabaseClient(client.DatabaseClient):
    @classmethod
    def settings_to_cmd_args_env(
        cls, settings_dict: dict[str, Any], parameters: list[str]
    ) -> tuple[list[str], dict[str, str] | None]:
        embedded = {
            **settings_dict,
            "HOST": embedded_postgres.socket_dir(settings_dict["EMBEDDED_DATA_DIR"]),
            "PORT": "",
        }
        # django-stubs do not declare the classmethod on the PostgreSQL client.
        args, env = super().settings_to_cmd_args_env(embedded, parameters)  # pyright: ignore[reportAttributeAccessIssue]
        return [embedded_postgres.psql_path(), *args[1:]], env
