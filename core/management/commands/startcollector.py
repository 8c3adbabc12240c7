"""startcollector: scaffold a new collector app, ready to install, migrate and run.

The file bodies are built here rather than copied from a template folder, so the
scaffold changes together with the framework it targets. Each body is written to
pass the project's ruff and pyright settings as generated, for any valid label.
"""

from __future__ import annotations

from pathlib import Path
from string import Template
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.layout import SERVICE_API_INDEX
from core.scaffolding import install_files, validate_app_label
from core.service_docs import doc_path, render_service_doc, write_index

SNIPPET_FILE = "schedule_snippet.yaml"
LINE_LENGTH = 100  # [tool.ruff] line-length


def pascal_case(label: str) -> str:
    """heartbeat_demo -> HeartbeatDemo."""
    return "".join(part.capitalize() for part in label.split("_"))


def _body(text: str, label: str, **extra: str) -> str:
    return Template(text.lstrip("\n")).substitute(label=label, Pascal=pascal_case(label), **extra)


def _first_party_imports(*lines: str) -> str:
    """Order project imports the way ruff's isort does: by module name."""
    return "\n".join(sorted(lines, key=lambda line: line.split()[1]))


def _from_import(module: str, name: str) -> str:
    """`from module import name` on one line, or wrapped as ruff wraps it when too long."""
    line = f"from {module} import {name}"
    if len(line) <= LINE_LENGTH:
        return line
    # The trailing comma keeps ruff from joining it again.
    return f"from {module} import (\n    {name},\n)"


APP_INIT = '''
"""${label}: a collector app (scaffolded by startcollector)."""
'''

ADMIN = """
from django.contrib import admin

${imports}


@admin.register(${Pascal}RunState)
class ${Pascal}RunStateAdmin(ReadOnlyAdmin):
    list_display = ("source_key", "run_count", "updated_at")
    search_fields = ("source_key",)
"""

APPS = '''
from django.apps import AppConfig


class ${Pascal}Config(AppConfig):
    """The ${label} collector app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "${label}"
'''

MODELS = '''
"""Tables of ${label}; every write to them goes through services.py."""

from django.db import models


class ${Pascal}RunState(models.Model):
    """How many times the collector has run, per source key.

    A stub that proves the migration and the service write path on day one;
    replace it with the app's real tables.
    """

    # Django adds the id column; declared here so type checkers know `row.id`.
    id: int
    source_key = models.CharField(max_length=200, unique=True)
    run_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.source_key}: {self.run_count} runs"
'''

SERVICES = '''
"""Every create, update and delete on ${label}'s tables."""

from __future__ import annotations

from django.db import transaction

from ${label}.models import ${Pascal}RunState


def record_run(*, source_key: str) -> tuple[${Pascal}RunState, bool]:
    """Count one run for `source_key`; return the row and whether it was created.

    The row is locked while it is incremented, so two runs at once both count.
    """
    if not source_key.strip():
        raise ValueError("source_key must not be blank")
    with transaction.atomic():
        locked_rows = ${Pascal}RunState.objects.select_for_update()
        row, created = locked_rows.get_or_create(source_key=source_key)
        row.run_count += 1
        row.save(update_fields=["run_count", "updated_at"])
    return row, created
'''

VIEWS = '''
"""Views of ${label}: collector apps rarely need any."""
'''

SNIPPET = """
# Schedule entry for run_${label}, made by startcollector.
# Paste the task below under groups.<group>.tasks in config/boost_collector_schedule.yaml,
# in the group whose sources it uses. Keep `enabled: false` until the app is merged,
# in INSTALLED_APPS and migrated; switching it on is a separate, reviewed change.
# Add `args: ["--source-key", "default"]` once the command accepts --source-key.
- command: run_${label}
  schedule: daily
  enabled: false
"""

MIGRATION = """
# Written by startcollector: the same operations makemigrations generates for models.py.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="${Pascal}RunState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("source_key", models.CharField(max_length=200, unique=True)),
                ("run_count", models.PositiveIntegerField(default=0)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
    ]
"""

RUN_COMMAND = '''
"""run_${label}: the collector and the command that runs it.

The collector lives beside its command while it is small; move it to
collectors.py when this file grows.
"""

from __future__ import annotations

from typing import Any

${imports}


class ${Pascal}Collector(AbstractCollector):
    """Record one run per source key; replace collect() with the real collection."""

    def __init__(
        self,
        *,
        stdout: Any = None,
        style: Any = None,
        source_key: str = "default",
    ) -> None:
        super().__init__(stdout=stdout, style=style)
        self.source_key = source_key

    @property
    def name(self) -> str:
        return "${label}"

    def validate_config(self) -> None:
        if not self.source_key or not self.source_key.strip():
            raise ValueError("source_key must not be empty")

    def collect(self) -> None:
        source_key = self.source_key.strip()
        _, created = services.record_run(source_key=source_key)
        self.count(CREATED if created else UPDATED)
        self.write(f"{self.name}: run recorded for source {source_key!r}; completed")


class Command(BaseCollectorCommand):
    help = "Run the ${label} collector."

    def get_collector(self, **_options: Any) -> AbstractCollector:
        return ${Pascal}Collector(stdout=self.stdout, style=self.style)
'''

SMOKE_TEST = '''
"""Smoke test: run_${label} end to end through call_command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from ${label}.models import ${Pascal}RunState

pytestmark = pytest.mark.django_db

# The environment variables validate_config() requires, with test values: add each one
# you make required, so that this test keeps running the whole command.
TEST_ENVIRONMENT: dict[str, str] = {}


def test_run_${label}_records_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in TEST_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    out = StringIO()
    call_command("run_${label}", stdout=out, verbosity=0)
    assert "completed" in out.getvalue().lower()
    state = ${Pascal}RunState.objects.get(source_key="default")
    assert state.run_count == 1
'''

SERVICES_TEST = '''
"""record_run on the real database: the app's one write."""

from __future__ import annotations

import pytest

from ${label}.models import ${Pascal}RunState
from ${label}.services import record_run

pytestmark = pytest.mark.django_db


def test_record_run_creates_and_increments() -> None:
    row1, created1 = record_run(source_key="alpha")
    assert created1 is True
    assert row1.run_count == 1
    row2, created2 = record_run(source_key="alpha")
    assert created2 is False
    assert row2.id == row1.id
    assert row2.run_count == 2
    assert ${Pascal}RunState.objects.count() == 1


def test_record_run_refuses_a_blank_source_key() -> None:
    with pytest.raises(ValueError, match="source_key must not be blank"):
        record_run(source_key=" ")
    assert not ${Pascal}RunState.objects.exists()
'''

COLLECTOR_TEST = '''
"""The collector without its command: its checks, and collect() writing through services."""

from __future__ import annotations

from unittest.mock import MagicMock, patch

import pytest

${imports}


def test_validate_config_rejects_an_empty_source_key() -> None:
    collector = ${Pascal}Collector(source_key=" ")
    with pytest.raises(ValueError, match="source_key must not be empty"):
        collector.validate_config()


@patch("${label}.services.record_run")
def test_collect_calls_the_service(mock_record_run: MagicMock) -> None:
    mock_record_run.return_value = (None, True)
    collector = ${Pascal}Collector(source_key=" k1 ")
    collector.collect()
    mock_record_run.assert_called_once_with(source_key="k1")
'''


def app_files(label: str) -> dict[Path, str]:
    """Every file of the scaffold, relative to the project root, in display order."""
    pascal = pascal_case(label)
    admin_imports = _first_party_imports(
        "from core.admin import ReadOnlyAdmin",
        f"from {label}.models import {pascal}RunState",
    )
    command_imports = _first_party_imports(
        "from core.collectors import AbstractCollector, BaseCollectorCommand",
        "from core.runs import CREATED, UPDATED",
        f"from {label} import services",
    )
    collector_import = _from_import(
        f"{label}.management.commands.run_{label}", f"{pascal}Collector"
    )
    services = _body(SERVICES, label)
    app = Path(label)
    commands = app / "management" / "commands"
    return {
        app / "__init__.py": _body(APP_INIT, label),
        app / "admin.py": _body(ADMIN, label, imports=admin_imports),
        app / "apps.py": _body(APPS, label),
        app / "models.py": _body(MODELS, label),
        app / "services.py": services,
        app / "views.py": _body(VIEWS, label),
        app / SNIPPET_FILE: _body(SNIPPET, label),
        app / "migrations" / "__init__.py": "",
        app / "migrations" / "0001_initial.py": _body(MIGRATION, label),
        app / "management" / "__init__.py": "",
        commands / "__init__.py": "",
        commands / f"run_{label}.py": _body(RUN_COMMAND, label, imports=command_imports),
        app / "tests" / "__init__.py": "",
        app / "tests" / f"test_run_{label}_command.py": _body(SMOKE_TEST, label),
        app / "tests" / "test_services.py": _body(SERVICES_TEST, label),
        app / "tests" / "test_collector.py": _body(COLLECTOR_TEST, label, imports=collector_import),
        doc_path(label): render_service_doc(app_label=label, source=services),
    }


def next_steps(label: str) -> list[str]:
    table = f"{label}_{pascal_case(label).lower()}runstate"
    return [
        f'Add "{label}" to INSTALLED_APPS in config/settings.py, keeping the collector '
        "apps in alphabetical order.",
        "Run: python manage.py migrate",
        "Run: python scripts/generate_schema_doc.py  (docs/Schema.md gains the app's table; "
        "the test suite fails until it does)",
        f"Run: python manage.py run_{label}  (it prints a line ending in 'completed' and "
        f"writes one row to {table})",
        f"Paste {label}/{SNIPPET_FILE} under a group's tasks in "
        "config/boost_collector_schedule.yaml, with enabled: false until the app is merged "
        "and migrated.",
        "If the app imports another project app, add a row to docs/cross-app-dependencies.md.",
        f"When services.py gains public functions: python scripts/generate_service_docs.py "
        f"--app {label}",
    ]


class Command(BaseCommand):
    help = "Create a new collector app: models, services, a run_<app> command, a test."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("app_label", help="Name of the new app, e.g. heartbeat_demo.")
        parser.add_argument(
            "--path",
            default=".",
            help="Project root to create the app in (default: the current directory).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show the files that would be written and the schedule snippet; write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        label: str = options["app_label"]
        root = Path(options["path"]).resolve()
        if not root.is_dir():
            raise CommandError(f"--path {options['path']} is not a folder")
        validate_app_label(
            label,
            installed_labels=[config.label for config in apps.get_app_configs()],
            root=root,
        )
        files = app_files(label)
        if options["dry_run"]:
            self.stdout.write(f"Dry run: nothing written. Would create in {root}:")
        else:
            install_files(root=root, files=files, units=[Path(label), doc_path(label)])
            self.stdout.write(self.style.SUCCESS(f"Created the {label} app in {root}:"))
        for path in files:
            self.stdout.write(f"  {path}")
        # The project's service API index gains the app's row (a bare --path has none).
        index_exists = (root / SERVICE_API_INDEX).is_file()
        if not options["dry_run"] and index_exists and write_index(root=root):
            self.stdout.write(f"  {SERVICE_API_INDEX} (updated)")
        self.stdout.write(f"\n{label}/{SNIPPET_FILE}:")
        self.stdout.write(files[Path(label) / SNIPPET_FILE])
        if options["dry_run"]:
            return
        self.stdout.write("\nNext steps:")
        for number, step in enumerate(next_steps(label), start=1):
            self.stdout.write(f"  {number}. {step}")
