"""The broken-schedule corpus: each file gives a clear, located error and no traceback.

Every file is checked through the commands in-process (the exact message), and one
file per kind of mistake through manage.py in a subprocess, as an operator runs it.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from boost_collector_runner.tests.conftest import (
    FIXTURES,
    closest_suggested,
    run_command,
    start_manage,
)

BROKEN = FIXTURES / "broken_schedules"
DISPLAYED = "boost_collector_runner/tests/fixtures/broken_schedules"

# file -> (line, the error after "path:line: ")
EXPECTED = {
    "alias_bomb": (
        14,
        "more than 1000000 values, counting each alias as a copy of what it names (an alias bomb?)",
    ),
    "args_not_strings": (
        7,
        "group 'github', task 1 (run_cppa_user_tracker): 'args' items must "
        "be strings, got an integer 10; quote it",
    ),
    "bad_time": (
        3,
        "group 'github': 'default_time' must be a 24-hour HH:MM (UTC), got the string '25:00'",
    ),
    "bad_weekday": (
        7,
        "group 'github', task 1 (run_cppa_user_tracker): \"on\" must be a weekday "
        "(monday..sunday or mon..sun), got the string 'mondays'",
    ),
    "day_32": (7, "group 'reporting', task 1 (run_cppa_user_tracker): \"on\" must be 1-31, got 32"),
    "deep_nesting": (7, "nested deeper than 20 levels (a schedule needs 6)"),
    "duplicate_group": (7, "group 'github': duplicate group id (first on line 2)"),
    "duplicate_key": (
        7,
        "group 'github', task 1 (run_cppa_user_tracker): duplicate key "
        "'schedule' (first on line 6)",
    ),
    "duplicate_task": (
        7,
        "group 'github', task 2 (run_cppa_user_tracker): duplicate of task 1: "
        "same command, schedule and args",
    ),
    "empty": (1, "the schedule is empty; it needs a 'groups' mapping"),
    # YAML 1.2: an unquoted no is the string 'no', not the boolean false.
    "enabled_no": (
        7,
        "group 'github', task 1 (run_cppa_user_tracker): 'enabled' must be "
        "true or false, got the string 'no'",
    ),
    "enabled_string": (
        7,
        "group 'github', task 1 (run_cppa_user_tracker): 'enabled' must be "
        "true or false, got the string 'no'",
    ),
    "group_id_number": (2, 'group id 2024 is an integer; quote it: "2024":'),
    "groups_empty": (1, "'groups' must be a non-empty mapping of group ids, got a mapping"),
    "minutes_181": (
        7,
        "group 'github', task 1 (run_cppa_user_tracker): 'minutes' must be 1-180, got 181",
    ),
    "minutes_boolean": (
        7,
        "group 'github', task 1 (run_cppa_user_tracker): 'minutes' must be a "
        "whole number 1-180, got a boolean true",
    ),
    "minutes_float": (
        7,
        "group 'github', task 1 (run_cppa_user_tracker): 'minutes' must be a "
        "whole number 1-180, got a decimal number 15.9",
    ),
    "minutes_zero": (
        7,
        "group 'github', task 1 (run_cppa_user_tracker): 'minutes' must be 1-180, got 0",
    ),
    "missing_command": (5, "group 'github', task 1: missing required key 'command'"),
    "missing_default_time": (
        3,
        "group 'github': missing required key 'default_time' (HH:MM, UTC)",
    ),
    "monthly_without_on": (
        5,
        "group 'github', task 1 (run_cppa_user_tracker): a monthly task "
        'needs "on": a day of month 1-31',
    ),
    "not_yaml_mapping_task": (
        5,
        "group 'github', task 1: a task must be a mapping, got the string 'run_cppa_user_tracker'",
    ),
    "on_for_daily": (
        7,
        "group 'github', task 1 (run_cppa_user_tracker): \"on\" is only for "
        "weekly and monthly tasks, not daily",
    ),
    "syntax_bad_indent": (
        4,
        "YAML syntax error: did not find expected key (while parsing a block mapping from line 2)",
    ),
    "syntax_unclosed_list": (
        8,
        "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence "
        "from line 7)",
    ),
    "tab_indent": (
        2,
        "YAML syntax error: found character that cannot start any token (a tab: indent YAML "
        "with spaces)",
    ),
    "tasks_not_list": (
        4,
        "group 'github': 'tasks' must be a non-empty list, got the string 'run_cppa_user_tracker'",
    ),
    "top_level_list": (1, "the top level must be a mapping, got a list"),
    "unknown_command": (
        5,
        "group 'github', task 1 (run_cppa_user_trackr): unknown command "
        "'run_cppa_user_trackr'; did you mean 'run_cppa_user_tracker'?",
    ),
    "unknown_schedule": (
        6,
        "group 'github', task 1 (run_cppa_user_tracker): unknown schedule "
        "'dayly'; did you mean 'daily'?",
    ),
    "unknown_task_key": (
        7,
        "group 'github', task 1 (run_cppa_user_tracker): unknown key "
        "'minute'; did you mean 'minutes'?",
    ),
    "unknown_top_key": (1, "unknown key 'group'; did you mean 'groups'?"),
}


def test_every_corpus_file_has_an_expectation() -> None:
    files = {path.stem for path in BROKEN.glob("*.yaml")} - {"several_errors"}
    assert files == set(EXPECTED)
    assert len(files) >= 20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_schedule_gives_one_clear_line(name, settings) -> None:
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(BROKEN / f"{name}.yaml")
    line, message = EXPECTED[name]
    with pytest.raises(CommandError) as caught:
        run_command("check_schedule", "--strict")
    assert closest_suggested(str(caught.value), f"{DISPLAYED}/{name}.yaml:{line}: {message}")
    with pytest.raises(CommandError) as listed:
        run_command("run_scheduled_collectors", "--list")
    assert str(listed.value) == str(caught.value)


# As an operator sees them: a subprocess per kind of mistake (the machine is shared,
# so not all 30 files: each one is covered in-process above).
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("syntax_bad_indent", ["check_schedule"]),
        ("bad_weekday", ["run_scheduled_collectors", "--list"]),
        ("unknown_task_key", ["run_scheduled_collectors", "--schedule", "daily"]),
        ("unknown_command", ["check_schedule", "--strict"]),
    ],
)
def test_operator_sees_one_line_and_no_traceback(name, args) -> None:
    path = f"{DISPLAYED}/{name}.yaml"
    process = start_manage(*args, BOOST_COLLECTOR_SCHEDULE_YAML=path)
    out, err = process.communicate(timeout=300)
    line, message = EXPECTED[name]
    assert process.returncode == 1, out + err
    assert len(err.strip().splitlines()) == 1, err
    assert closest_suggested(err.strip(), f"CommandError: {path}:{line}: {message}")


def test_unknown_command_is_only_a_warning_when_not_strict(settings) -> None:
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(BROKEN / "unknown_command.yaml")
    settings.BOOST_COLLECTOR_SCHEDULE_STRICT = False
    err = StringIO()
    call_command("check_schedule", stdout=StringIO(), stderr=err)
    assert closest_suggested(
        err.getvalue().strip(),
        f"warning: {DISPLAYED}/unknown_command.yaml:5: " + (EXPECTED["unknown_command"][1]),
    )


def test_all_errors_are_reported_at_once() -> None:
    path = "boost_collector_runner/tests/fixtures/broken_schedules/several_errors.yaml"
    process = start_manage("check_schedule", BOOST_COLLECTOR_SCHEDULE_YAML=path)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 1
    assert err.strip().splitlines() == [
        f"CommandError: {path}:7: group 'github', task 1 (run_cppa_user_tracker): 'minutes' "
        "must be 1-180, got 0",
        f"{path}:10: group 'github', task 2 (run_cppa_user_tracker): \"on\" must be 1-31, got 0",
        f"{path}:12: group 'docs': 'default_time' must be a 24-hour HH:MM (UTC), got the "
        "string '4:1'",
        f"{path}:16: group 'docs', task 1 (run_cppa_user_tracker): \"on\" must be a weekday "
        "(monday..sunday or mon..sun), got the string 'funday'",
    ]
