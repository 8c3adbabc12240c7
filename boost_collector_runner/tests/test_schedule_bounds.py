"""A hostile or mistaken schedule file cannot hurt the commands that read it.

Settings parse the schedule on every manage.py command. A file nested 20,000 deep used
to crash all of them with a RecursionError, and a 20 MB one made `check` take a minute
and a half. Now a file that is too large, too deep or an alias bomb is refused in one
line: a system-check warning in development (the command still runs), a configuration
error at start-up in strict mode.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from boost_collector_runner.schedule import ScheduleError, display_path, parse_schedule
from boost_collector_runner.tests.conftest import FIXTURES, ROOT, start_manage
from core.models import CollectorRun
from core.testing.manage import start_on_test_db

BOMB = FIXTURES / "broken_schedules" / "alias_bomb.yaml"
TASK = "      - command: run_test_ok\n        schedule: daily\n"


def deep(tmp_path: Path) -> Path:
    path = tmp_path / "deep.yaml"
    nested = "[" * 20_000 + "]" * 20_000
    path.write_text(f'groups:\n  g:\n    default_time: "04:10"\n    tasks: {nested}\n')
    return path


def huge(tmp_path: Path) -> Path:
    """A valid-looking schedule of 2 MiB: thousands of identical tasks."""
    path = tmp_path / "huge.yaml"
    head = 'groups:\n  g:\n    default_time: "04:10"\n    tasks:\n'
    path.write_text(head + TASK * (2 * 1024 * 1024 // len(TASK)))
    return path


def bomb(_tmp_path: Path) -> Path:
    return BOMB


CASES = {
    "deep": (deep, "deep.yaml:4: nested deeper than 20 levels (a schedule needs 6)"),
    "huge": (
        huge,
        "huge.yaml: the schedule file is larger than 256 KiB; a schedule needs a few KiB",
    ),
    "bomb": (
        bomb,
        "alias_bomb.yaml:14: more than 1000000 values, counting each alias as a copy of "
        "what it names (an alias bomb?)",
    ),
}


def shown(path: Path, problem: str) -> str:
    """The problem as reported: the file as the operator named it, relative to the project."""
    return str(Path(display_path(path.parent, ROOT)) / problem)


def warning_block(path: Path, problem: str, *, footer: bool) -> list[str]:
    """What Django prints for one system-check warning, around our one line."""
    lines = [
        "System check identified some issues:",
        "",
        "WARNINGS:",
        f"?: (boost_collector_runner.W001) {shown(path, problem)}; Celery Beat has no "
        "schedule entries",
    ]
    return [*lines, "", "System check identified 1 issue (0 silenced)."] if footer else lines


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_warns_in_one_line_and_succeeds(case, tmp_path) -> None:
    make, problem = CASES[case]
    path = make(tmp_path)
    process = start_manage("check", BOOST_COLLECTOR_SCHEDULE_YAML=str(path))
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert err.strip().splitlines() == warning_block(path, problem, footer=True)
    assert out == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_collector_still_runs_with_one_warning_line(case, tmp_path) -> None:
    make, problem = CASES[case]
    path = make(tmp_path)
    process = start_on_test_db(
        "run_test_ok",
        BOOST_COLLECTOR_SCHEDULE_YAML=str(path),
        BOOST_COLLECTOR_SCHEDULE_STRICT="false",
    )
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    lines = err.strip().splitlines()
    assert lines[0] == (
        f"warning boost_collector_runner.W001: {shown(path, problem)}; Celery Beat has no "
        "schedule entries"
    )
    # The rest is the collector's own log: its start and end records.
    assert len(lines) == 3, err
    assert all("core.collectors.command_base" in line for line in lines[1:]), err
    assert CollectorRun.objects.get(command="run_test_ok").status == "succeeded"


@pytest.mark.parametrize("command", [["check"], ["run_test_ok"]])
def test_strict_start_up_refuses_it_in_one_line(command, tmp_path) -> None:
    path = deep(tmp_path)
    process = start_manage(
        *command,
        BOOST_COLLECTOR_SCHEDULE_YAML=str(path),
        BOOST_COLLECTOR_SCHEDULE_STRICT="true",
        DJANGO_SETTINGS_MODULE="tests_support.worker_settings",
        TEST_WORKER_DB_NAME="unused",
    )
    _, err = process.communicate(timeout=300)
    assert process.returncode == 1
    assert err.strip().splitlines() == [f"Configuration error: {shown(path, CASES['deep'][1])}"]


HEAD = 'groups:\n  g:\n    default_time: "04:10"\n    tasks:\n'


def test_an_alias_used_as_intended_is_read() -> None:
    text = HEAD + (
        "      - command: run_test_ok\n        schedule: daily\n"
        '        args: &common ["--format", "json"]\n'
        "      - command: run_test_fail\n        schedule: daily\n        args: *common\n"
    )
    tasks = parse_schedule(text, path="s.yaml").tasks()
    assert [task.args for task in tasks] == [("--format", "json")] * 2


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ("&loop [a, *loop]", "s.yaml:7: alias *loop is inside what it names (a loop)"),
        # The anchored list is 16 levels deep, within bounds; the alias to it, 5 lists
        # further down, stands for 21 levels.
        (
            "[&ten " + "[" * 10 + "x" + "]" * 10 + ", " + "[" * 5 + "*ten" + "]" * 5 + "]",
            "s.yaml:7: nested deeper than 20 levels (a schedule needs 6)",
        ),
    ],
)
def test_aliases_cannot_hide_a_loop_or_depth(args, problem) -> None:
    text = HEAD + f"      - command: run_test_ok\n        schedule: daily\n        args: {args}\n"
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text, path="s.yaml")
    assert caught.value.errors == [problem]
