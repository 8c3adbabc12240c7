"""The schedule is read as YAML 1.2: examples pasted from the seeds and docs work as written."""

from __future__ import annotations

import pytest
import yaml

from boost_collector_runner.beat import get_beat_schedule
from boost_collector_runner.schedule import load_schedule, parse_schedule
from boost_collector_runner.schedule_yaml import Yaml12Loader, int_value, use_core_schema
from boost_collector_runner.tests.conftest import ROOT, run_command, start_manage

# Seed 001's example schedule exactly as the seed writes it: `on` unquoted.
SEED_001 = """\
groups:
  github:
    default_time: "04:10"
    tasks:
      - command: run_boost_library_tracker
        schedule: daily
      - command: run_boost_usage_tracker
        schedule: weekly
        on: monday
  reporting:
    default_time: "06:00"
    tasks:
      - command: run_monthly_report
        schedule: monthly
        on: 3
      - command: run_on_release_sync
        schedule: on_release
      - command: run_export
        schedule: daily
        args: ["--format", "json"]
"""
QUOTED = SEED_001.replace("on: monday", '"on": monday').replace("on: 3", '"on": 3')
# The seed's commands that no app provides yet, replaced by test collectors.
INSTALLED = {
    "run_boost_usage_tracker": "run_test_ok",
    "run_monthly_report": "run_test_ok",
    "run_on_release_sync": "run_test_fail",
    "run_export": "run_test_fail",
}


def installed(text: str) -> str:
    for missing, present in INSTALLED.items():
        text = text.replace(f"command: {missing}\n", f"command: {present}\n")
    return text


def test_seed_001_example_gives_the_beat_entries_of_its_quoted_form() -> None:
    assert QUOTED != SEED_001
    verbatim = parse_schedule(SEED_001, path="s.yaml")
    quoted = parse_schedule(QUOTED, path="s.yaml")
    assert verbatim == quoted
    weekly, monthly = verbatim.tasks()[1], verbatim.tasks()[2]
    assert (weekly.schedule, weekly.on, monthly.schedule, monthly.on) == (
        "weekly",
        "monday",
        "monthly",
        3,
    )
    entries = get_beat_schedule(verbatim)
    assert entries == get_beat_schedule(quoted)
    assert list(entries) == [
        "boost-collector-group-github-04-10",
        "boost-collector-group-reporting-06-00",
    ]


def test_seed_001_example_passes_the_strict_check(schedule_file) -> None:
    schedule_file(installed(SEED_001))
    out = run_command("check_schedule", "--strict")
    assert "  2. run_test_ok [weekly on monday] next: " in out
    assert "  1. run_test_ok [monthly on 3] next: " in out
    assert out.strip().endswith("OK, 2 groups, 5 tasks (5 enabled)")


def test_settings_build_beat_entries_from_the_seed_example(tmp_path) -> None:
    path = tmp_path / "seed.yaml"
    path.write_text(SEED_001, encoding="utf-8")
    process = start_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(sorted(settings.CELERY_BEAT_SCHEDULE))",
        BOOST_COLLECTOR_SCHEDULE_YAML=str(path),
        DEBUG="False",  # strict: an unreadable schedule would stop start-up
        ALLOWED_HOSTS="localhost",
        SECRET_KEY="a-long-random-secret-for-this-test-only-0123456789-abcdefghijklmnop",
    )
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert out.strip().splitlines()[-1] == (
        "['boost-collector-group-github-04-10', 'boost-collector-group-reporting-06-00']"
    )


def test_the_documented_examples_load_as_written() -> None:
    example = load_schedule(ROOT / "config" / "boost_collector_schedule.yaml.example")
    workflow = (ROOT / "docs" / "Workflow.md").read_text(encoding="utf-8")
    documented = parse_schedule(
        workflow.split("```yaml\n", 1)[1].split("```", 1)[0], path="docs/Workflow.md"
    )
    for parsed in (example, documented):
        days = {task.schedule: task.on for task in parsed.tasks() if task.on is not None}
        assert days == {"weekly": "monday", "monthly": 31}


# What YAML 1.1 got wrong for a schedule, each read as YAML 1.2 does; every task below
# also writes its `on` key unquoted.
@pytest.mark.parametrize(
    ("text", "group", "time"),
    [
        # A group named on (YAML 1.1: the boolean true), and one named yes.
        ('groups:\n  on:\n    default_time: "04:10"\n', "on", "04:10"),
        ("groups:\n  yes:\n    default_time: 00:00\n", "yes", "00:00"),
        # Unquoted times (YAML 1.1: the base-60 numbers 250 and 850).
        ("groups:\n  github:\n    default_time: 04:10\n", "github", "04:10"),
        ("groups:\n  github:\n    default_time: 14:10\n", "github", "14:10"),
    ],
)
def test_yaml_1_1_traps_are_plain_strings(text, group, time) -> None:
    tasks = "    tasks:\n      - command: run_test_ok\n        schedule: weekly\n        on: sun\n"
    parsed = parse_schedule(text + tasks, path="s.yaml")
    assert (parsed.groups[0].name, parsed.groups[0].default_time) == (group, time)
    assert parsed.tasks()[0].on == "sunday"


def test_args_keep_yes_no_and_on_as_strings() -> None:
    text = (
        "groups:\n  g:\n    default_time: 04:10\n    tasks:\n      - command: run_test_ok\n"
        "        schedule: daily\n        args: [--flag, yes, no, on, off, 2001-12-14]\n"
    )
    assert parse_schedule(text, path="s.yaml").tasks()[0].args == (
        "--flag",
        "yes",
        "no",
        "on",
        "off",
        "2001-12-14",
    )


class _PythonLoader(yaml.BaseLoader):
    """The pure-Python parser, which a PyYAML built without libyaml would use."""


use_core_schema(_PythonLoader)


@pytest.mark.parametrize("loader", [Yaml12Loader, _PythonLoader])
@pytest.mark.parametrize(
    ("scalar", "tag"),
    [
        ("on", "str"),
        ("yes", "str"),
        ("No", "str"),
        ("04:10", "str"),
        ("1_000", "str"),
        ("2001-12-14", "str"),
        ("true", "bool"),
        ("FALSE", "bool"),
        ("15", "int"),
        ("-3", "int"),
        ("017", "int"),
        ("0o17", "int"),
        ("0x1f", "int"),
        ("15.9", "float"),
        ("1e3", "float"),
        (".inf", "float"),
        ("~", "null"),
        ("null", "null"),
        ("", "null"),
    ],
)
def test_core_schema_tags(loader, scalar, tag) -> None:
    node = yaml.compose(f"key: {scalar}\n", Loader=loader)
    assert node is not None
    key, value = node.value[0]
    assert (key.tag, value.tag) == ("tag:yaml.org,2002:str", f"tag:yaml.org,2002:{tag}")
    assert value.start_mark.line == 0


@pytest.mark.parametrize(("text", "value"), [("15", 15), ("+15", 15), ("017", 17), ("0o17", 15)])
def test_integers_are_read_as_yaml_1_2_writes_them(text, value) -> None:
    assert int_value(text) == value
