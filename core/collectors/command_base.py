"""`BaseCollectorCommand`: the management command that runs one collector.

It builds the collector, takes the command's advisory lock, records the run in the
ledger, runs the phases `run` then `sync_pinecone`, and ends with a one-line
summary. Subclasses only add their flags and implement `get_collector`.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import DatabaseError

from core import progress, runs
from core.collectors.base_collector import AbstractCollector
from core.collectors.reporting import ReportingCommand
from core.errors import CollectorFailureCategory, classify_failure, database_unavailable, one_line
from core.locks import AdvisoryLock
from core.logging import wants_traceback
from core.models import CollectorRun, RunStatus

logger = logging.getLogger(__name__)

SETUP_PHASE = "setup"
RUN_PHASE = "run"
SYNC_PHASE = "sync_pinecone"


def _fields(collector: str, phase: str, category: str = "-") -> dict[str, str]:
    return {"collector": collector, "collector_phase": phase, "failure_category": category}


class BaseCollectorCommand(ReportingCommand):
    """Run a collector with locking, a ledger row and a summary line.

    Every failure is logged once, in one line (with a traceback only when
    `wants_traceback` says so), and the command then exits with its code: Django
    prints nothing more.
    """

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Added here, not in add_arguments, so subclasses that override
        # add_arguments without calling super() still get it.
        parser.add_argument(
            "--wait-lock",
            action="store_true",
            help="If another run of this command is in progress, wait for it instead of "
            "skipping (COLLECTOR_LOCK_WAIT_SECONDS bounds the wait; 0 = no bound).",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="Do not draw the live progress display (it is drawn only on a terminal).",
        )
        return parser

    def get_collector(self, **options: Any) -> AbstractCollector:
        """Build the collector from the parsed command-line options."""
        raise NotImplementedError("subclasses of BaseCollectorCommand must define get_collector()")

    @property
    def command_name(self) -> str:
        """The name this command is called by, e.g. `run_cppa_user_tracker`."""
        return self.__class__.__module__.rsplit(".", 1)[-1]

    def handle(self, *args: Any, **options: Any) -> None:
        command = self.command_name
        verbose = options.get("verbosity", 1) >= 2 or bool(options.get("traceback"))
        try:
            collector = self.get_collector(**options)
        except Exception as exc:
            self._record_setup_failure(command, exc, verbose=verbose)
            self.reported(exc)
            raise
        collector.verbose_errors = verbose
        collector.progress = progress.for_command(
            self.stdout, no_progress=bool(options.get("no_progress"))
        )

        lock = AdvisoryLock(f"command:{command}")
        wait = bool(options.get("wait_lock"))
        try:
            acquired = lock.acquire(wait=wait, timeout_seconds=settings.COLLECTOR_LOCK_WAIT_SECONDS)
        except DatabaseError as exc:
            raise self._database_unavailable(command, collector.name, exc) from exc
        try:
            if not acquired:
                self._record_skipped(command, collector.name)
                return
            ledger_row = self._start_ledger_row(command, collector.name, lock.name)
            self._run_phases(collector, ledger_row, time.monotonic())
        finally:
            lock.release()

    def _start_ledger_row(self, command: str, name: str, lock_name: str) -> CollectorRun:
        """Close the rows a dead run of this command left, then open this run's row.

        We hold the command's lock, so any other `running` row under it is a process
        that died without finishing (kill -9, OOM, a lost machine).
        """
        try:
            for dead in runs.close_abandoned_runs(own_lock=lock_name, only_own=True):
                logger.warning(
                    "%s: run #%s %s", name, dead.pk, dead.error_summary, extra=_fields(name, "-")
                )
            return runs.start_run(command=command, collector=name, lock_name=lock_name)
        except DatabaseError as exc:
            raise self._database_unavailable(command, name, exc) from exc

    def _database_unavailable(self, command: str, name: str, exc: Exception) -> CommandError:
        """Log a database outage at start-up and turn it into a one-line command error."""
        logger.error(
            "%s: cannot record the run, the database is unavailable: %s",
            name,
            one_line(str(exc)),
            extra=_fields(name, SETUP_PHASE, CollectorFailureCategory.DATABASE.value),
        )
        return self.reported(database_unavailable(command, exc))

    def _run_phases(self, collector: AbstractCollector, row: CollectorRun, started: float) -> None:
        name = collector.name
        phase = RUN_PHASE
        logger.info("%s: run started", name, extra=_fields(name, phase))
        try:
            self._run_collector_phase(collector, collector.run, RUN_PHASE)
            phase = SYNC_PHASE
            self._run_collector_phase(collector, collector.sync_pinecone, SYNC_PHASE)
        except CommandError as exc:
            self._finish_failed(collector, row, exc, phase, exc.returncode, started)
            self.reported(exc)
            raise
        except Exception as exc:
            self._finish_failed(collector, row, exc, phase, 1, started)
            self.reported(exc)
            raise
        self._finish(
            row,
            status=RunStatus.SUCCEEDED,
            exit_code=0,
            counters=collector.counters.as_dict(),
        )
        elapsed = runs.format_duration(time.monotonic() - started)
        counts = collector.counters.summary()
        line = f"{name}: succeeded in {elapsed}" + (f" — {counts}" if counts else "")
        logger.info(line, extra=_fields(name, "-"))
        self.stdout.write(self.style.SUCCESS(line))

    def _run_collector_phase(
        self, collector: AbstractCollector, phase_callable: Any, phase: str
    ) -> None:
        """Run one phase with `_error_phase` set, routing failures as the tutorial says."""
        collector._error_phase = phase
        try:
            phase_callable()
        except CommandError as exc:
            # A user/config error: logged here, never passed to handle_error.
            logger.error(
                "%s: %s",
                collector.name,
                exc,
                extra=_fields(collector.name, phase, CollectorFailureCategory.COMMAND.value),
            )
            raise
        except Exception as exc:
            self._call_handle_error(collector, exc)
            raise
        finally:
            collector._error_phase = None

    def _call_handle_error(self, collector: AbstractCollector, exc: Exception) -> None:
        # The original failure must surface even if the collector's handler breaks.
        try:
            collector.handle_error(exc)
        except Exception:
            logger.exception(
                "%s: handle_error raised while reporting %s",
                collector.name,
                type(exc).__name__,
                extra=_fields(collector.name, collector._error_phase or "-"),
            )

    def _finish_failed(
        self,
        collector: AbstractCollector,
        row: CollectorRun,
        exc: Exception,
        phase: str,
        exit_code: int,
        started: float,
    ) -> None:
        category = classify_failure(exc)
        self._finish(
            row,
            status=RunStatus.FAILED,
            exit_code=exit_code,
            failure_category=category.value,
            phase=phase,
            error=exc,
            counters=collector.counters.as_dict(),
        )
        elapsed = runs.format_duration(time.monotonic() - started)
        line = f"{collector.name}: failed in {elapsed} ({category.value}, phase {phase})"
        self.stdout.write(self.style.ERROR(line))

    def _finish(self, row: CollectorRun, **outcome: Any) -> None:
        # Recording the end must never hide the run's own outcome.
        try:
            runs.finish_run(run=row, **outcome)
        except DatabaseError as exc:
            logger.error(
                "%s: could not record the end of run #%s: %s",
                row.collector or row.command,
                row.pk,
                exc,
                extra=_fields(row.collector, "-", CollectorFailureCategory.DATABASE.value),
            )

    def _record_skipped(self, command: str, name: str) -> None:
        holder = runs.latest_running(command=command)
        reason = f"another run of {command} is in progress"
        if holder is not None:
            reason += (
                f" (run #{holder.pk} on {holder.host or '?'} pid {holder.pid}, "
                f"started {holder.started_at:%Y-%m-%d %H:%M:%S} UTC)"
            )
        try:
            runs.record_finished_run(
                command=command,
                collector=name,
                status=RunStatus.SKIPPED,
                exit_code=0,
                error=reason,
            )
        except DatabaseError as exc:
            raise self._database_unavailable(command, name, exc) from exc
        logger.warning("%s: skipped, %s", name, reason, extra=_fields(name, SETUP_PHASE))
        self.stdout.write(self.style.WARNING(f"{name}: skipped — {reason}"))

    def _record_setup_failure(self, command: str, exc: Exception, *, verbose: bool) -> None:
        category = classify_failure(exc)
        show_stack = not isinstance(exc, CommandError) and wants_traceback(
            category.value, verbose=verbose
        )
        logger.error(
            "%s: could not build the collector: %s",
            command,
            exc,
            exc_info=exc if show_stack else None,
            extra=_fields(command, SETUP_PHASE, category.value),
        )
        # Already logged above; the database being down is not the error here.
        with contextlib.suppress(DatabaseError):
            runs.record_finished_run(
                command=command,
                status=RunStatus.FAILED,
                exit_code=exc.returncode if isinstance(exc, CommandError) else 1,
                failure_category=category.value,
                phase=SETUP_PHASE,
                error=exc,
            )
