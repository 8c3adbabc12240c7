"""`manage.py demo` (what `make demo` runs): the whole pipeline, offline.

The daily schedule runs against recorded GitHub and Boost responses replayed on a
loopback server, into the demo's own database; then the status page, the admin and
/health/ are served on 127.0.0.1 until Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import signal
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.core.servers.basehttp import (  # what runserver serves with
    get_internal_wsgi_application,
    run,  # pyright: ignore[reportAttributeAccessIssue] - not in the stubs
)

from core.collectors.reporting import ReportingCommand
from demo.database import prepare_database
from demo.recordings import recorded_github
from demo.services import reset_demo_superuser

DEMO_USER = "demo"
HOST = "127.0.0.1"
SETTINGS_HINT = "make demo, or DJANGO_SETTINGS_MODULE=config.demo_settings python manage.py demo"


def _interrupt(signum: int, frame: Any) -> None:
    """SIGTERM stops the demo the way Ctrl-C does."""
    raise KeyboardInterrupt


class Command(ReportingCommand):
    help = (
        "Offline demo: run the daily schedule against recorded GitHub and Boost responses "
        "into a database of its own, then serve the status page, admin and /health/ on "
        f"{HOST}. Needs config.demo_settings ({SETTINGS_HINT})."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=8000, help="Port on 127.0.0.1 (0: any free port)."
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Run the schedule, print the login, exit."
        )
        parser.add_argument(
            "--reset", action="store_true", help="Drop the demo database and start afresh."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(f"the demo needs its own settings and database: {SETTINGS_HINT}")
        database = settings.DATABASES["default"]["NAME"]
        created = prepare_database(reset=options["reset"])
        self.stdout.write(f"{settings.DEMO_LABEL}.")
        self._say(
            f"database {database!r} ({'created' if created else 'kept from the last demo'}, "
            "migrated); your own database is not touched"
        )
        password = reset_demo_superuser(username=DEMO_USER)
        failure = self._run_daily_schedule()
        if options["no_serve"]:
            self._say(f"log in as {DEMO_USER!r} with password {password}")
            if failure is not None:
                raise self.reported(failure)
            return
        self._serve(options["port"], password)

    def _say(self, line: str) -> None:
        self.stdout.write(f"DEMO: {line}")

    def _run_daily_schedule(self) -> CommandError | None:
        """Run the daily schedule on the replay; its own lines report the outcome."""
        with recorded_github() as server:
            self._say(f"replaying recorded responses on {server.base_url} (no network used)")
            self._say("running: manage.py run_scheduled_collectors --schedule daily")
            try:
                call_command(
                    "run_scheduled_collectors",
                    "--schedule",
                    "daily",
                    stdout=self.stdout,
                    stderr=self.stderr,
                )
            except CommandError as exc:
                self.stderr.write("DEMO: the daily schedule failed; the status page shows why")
                return exc
        return None

    def _serve(self, port: int, password: str) -> None:
        def announce(bound_port: int) -> None:
            base = f"http://{HOST}:{bound_port}"
            self._say(f"open {base}/status/ and log in as {DEMO_USER!r} with password {password}")
            self._say(f"admin: {base}/admin/   health: {base}/health/   (recorded data)")
            self._say("stop with Ctrl-C")

        signal.signal(signal.SIGTERM, _interrupt)
        try:
            run(HOST, port, get_internal_wsgi_application(), threading=True, on_bind=announce)
        except KeyboardInterrupt:
            self._say("stopped")
        except OSError as exc:
            raise CommandError(
                f"cannot serve on {HOST}:{port} ({exc.strerror}); choose another port: "
                "make demo DEMO_PORT=8001, or manage.py demo --port 8001"
            ) from None
