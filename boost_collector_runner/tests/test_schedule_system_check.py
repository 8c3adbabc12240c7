"""`manage.py check` reports the schedule: an error in strict mode, a warning otherwise."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from boost_collector_runner.tests.conftest import FIXTURES, closest_suggested

BROKEN = FIXTURES / "broken_schedules"
DISPLAYED = "boost_collector_runner/tests/fixtures/broken_schedules"
TYPO = (
    f"{DISPLAYED}/unknown_command.yaml:5: group 'github', task 1 (run_cppa_user_trackr): "
    "unknown command 'run_cppa_user_trackr'; did you mean 'run_cppa_user_tracker'?"
)


def check_output() -> str:
    err = StringIO()
    call_command("check", stdout=StringIO(), stderr=err)
    return err.getvalue()


def test_unknown_command_is_a_warning_when_not_strict(settings) -> None:
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(BROKEN / "unknown_command.yaml")
    settings.BOOST_COLLECTOR_SCHEDULE_STRICT = False
    lines = check_output().splitlines()
    assert lines[:3] + lines[4:] == [
        "System check identified some issues:",
        "",
        "WARNINGS:",
        "",
        "System check identified 1 issue (0 silenced).",
    ]
    warning, _, tail = lines[3].rpartition(" (the task will fail when it runs)")
    assert tail == ""
    assert closest_suggested(warning, f"?: (boost_collector_runner.W002) {TYPO}")


def test_unknown_command_stops_start_up_when_strict(settings) -> None:
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(BROKEN / "unknown_command.yaml")
    settings.BOOST_COLLECTOR_SCHEDULE_STRICT = True
    with pytest.raises(SystemCheckError) as caught:
        call_command("check", stdout=StringIO(), stderr=StringIO())
    errors = [line for line in str(caught.value).splitlines() if "E002" in line]
    assert len(errors) == 1
    assert closest_suggested(errors[0], f"?: (boost_collector_runner.E002) {TYPO}")


def test_invalid_schedule_is_a_warning_not_no_issues(settings) -> None:
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(BROKEN / "several_errors.yaml")
    settings.BOOST_COLLECTOR_SCHEDULE_STRICT = False
    assert check_output().splitlines()[3] == (
        f"?: (boost_collector_runner.W001) {DISPLAYED}/several_errors.yaml:7: group 'github', "
        "task 1 (run_cppa_user_tracker): 'minutes' must be 1-180, got 0 (and 3 more; run "
        "`python manage.py check_schedule` to see all); Celery Beat has no schedule entries"
    )


def test_the_real_schedule_has_no_issues() -> None:
    out = StringIO()
    call_command("check", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == "System check identified no issues (0 silenced)."


@pytest.mark.parametrize(
    ("command", "suggestion"),
    [
        ("run_github_activity", "did you mean 'run_github_activity_tracker'?"),
        (
            "run_boost_tracker",
            "did you mean 'run_boost_usage_tracker', 'run_boost_library_tracker' or "
            "'run_boost_mailing_list_tracker'?",
        ),
        (
            "collect_everything",
            "the closest run_* commands are run_all_collectors, run_scheduled_collectors, "
            "run_on_release_sync",
        ),
    ],
)
def test_unknown_command_names_the_closest_collectors_only(
    command, suggestion, schedule_file, settings
) -> None:
    settings.BOOST_COLLECTOR_SCHEDULE_STRICT = False
    path = schedule_file(
        f'groups:\n  g:\n    default_time: "04:10"\n    tasks:\n      - command: {command}\n'
        "        schedule: daily\n"
    )
    err = StringIO()
    call_command("check_schedule", stdout=StringIO(), stderr=err)
    assert err.getvalue().strip() == (
        f"warning: {path}:5: group 'g', task 1 ({command}): unknown command '{command}'; "
        f"{suggestion}"
    )


def test_many_unknown_commands_are_summed_up(schedule_file, settings) -> None:
    settings.BOOST_COLLECTOR_SCHEDULE_STRICT = False
    task = "      - command: run_missing_{}\n        schedule: daily\n"
    path = schedule_file(
        'groups:\n  g:\n    default_time: "04:10"\n    tasks:\n'
        + "".join(task.format(number) for number in range(40))
    )
    lines = check_output().splitlines()
    assert len(lines) == 3 + 5 + 2, lines
    assert (
        f"?: (boost_collector_runner.W002) {path}: and 36 more tasks with unknown commands; "
        "run `python manage.py check_schedule` to see all"
    ) in lines
