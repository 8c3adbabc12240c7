"""Show or stop the embedded PostgreSQL server (only used without DATABASE_URL)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import embedded_postgres


class Command(BaseCommand):
    help = "Show the status of, start, or stop the embedded PostgreSQL server."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["status", "start", "stop"])

    def handle(self, *args: Any, **options: Any) -> None:
        db = settings.DATABASES["default"]
        data_dir = db.get("EMBEDDED_DATA_DIR")
        if not data_dir:
            raise CommandError(
                "DATABASE_URL is set, so the embedded server is not in use; "
                "manage that PostgreSQL server with its own tools"
            )
        action = options["action"]
        if action == "start":
            embedded_postgres.ensure_server(data_dir)
        elif action == "stop":
            was_running = embedded_postgres.stop(data_dir)
            self.stdout.write("stopped" if was_running else "was not running")
            return
        self.stdout.write(embedded_postgres.status(data_dir))
