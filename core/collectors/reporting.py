"""`ReportingCommand`: a command that reports its own failures, in one line.

Collector and batch commands log a failure once (with its category) and print their
summary line themselves. Left alone, Django would then print the same failure again
(`CommandError: ...`) or a traceback. From a shell such a command exits with the
failure's code and Django adds nothing; `--traceback` still shows the stack.
`call_command` (the scheduler, Celery) gets the exception itself, unchanged, so it
can classify it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core import checks
from django.core.management.base import BaseCommand, CommandError, CommandParser

Failure = TypeVar("Failure", bound=BaseException)


class ReportingCommand(BaseCommand):
    """A command whose reported failures end the process without Django's echo."""

    _reported_failure: BaseException | None = None

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # A bad flag is one line too: argparse's usage block would bury the reason
        # (`manage.py run_x: error: argument --since: ...`); --help still shows it.
        parser.print_usage = _no_usage  # type: ignore[method-assign]
        return parser

    def check(
        self,
        app_configs: Any = None,
        tags: Any = None,
        display_num_errors: bool = False,
        include_deployment_checks: bool = False,
        fail_level: int = checks.ERROR,
        databases: Any = None,
    ) -> None:
        """Print each system-check warning in one line; errors stop as Django stops them.

        A broken schedule in non-strict mode is a warning every command repeats: one
        line each (`warning boost_collector_runner.W001: ...`), not Django's block.
        `manage.py check` keeps Django's own report.
        """
        found = checks.run_checks(
            app_configs=app_configs,
            tags=tags,
            include_deployment_checks=include_deployment_checks,
            databases=databases,
        )
        visible = [issue for issue in found if not issue.is_silenced()]
        if any(issue.level >= fail_level for issue in visible):
            super().check(
                app_configs, tags, display_num_errors, include_deployment_checks, fail_level,
                databases,
            )  # fmt: skip
            return
        for issue in visible:
            if issue.level >= checks.WARNING:
                self.stderr.write(f"warning {issue.id}: {' '.join(str(issue.msg).split())}")

    def reported(self, exc: Failure) -> Failure:
        """Mark `exc` as already reported in one line; returns it for `raise`."""
        self._reported_failure = exc
        return exc

    def execute(self, *args: Any, **options: Any) -> Any:
        self._reported_failure = None
        try:
            return super().execute(*args, **options)
        except Exception as exc:
            from_shell = getattr(self, "_called_from_command_line", False)  # set by Django
            quiet = from_shell and not options.get("traceback")
            if quiet and exc is self._reported_failure:
                raise SystemExit(exc.returncode if isinstance(exc, CommandError) else 1) from None
            raise


def _no_usage(file: Any = None) -> None:
    """Print nothing where argparse prints the usage before an error."""
