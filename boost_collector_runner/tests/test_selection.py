"""Task selection for every kind, and next run times; pure, no clock, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from boost_collector_runner.schedule import parse_schedule, parse_weekday
from boost_collector_runner.selection import (
    Selection,
    SelectionError,
    batch_tasks,
    monthly_day_matches,
    next_run,
    select_tasks,
)

SCHEDULE = parse_schedule(
    """
groups:
  github:
    default_time: "04:10"
    tasks:
      - command: run_a
        schedule: daily
      - command: run_b
        schedule: weekly
        "on": Mon
      - command: run_c
        schedule: interval
        minutes: 15
      - command: run_d
        schedule: daily
        enabled: false
  reporting:
    default_time: "06:00"
    tasks:
      - command: run_e
        schedule: monthly
        "on": 31
      - command: run_f
        schedule: on_release
      - command: run_g
        schedule: daily
        args: ["--format", "json"]
      - command: run_h
        schedule: monthly
        "on": 3
      - command: run_i
        schedule: interval
        minutes: 60
      - command: run_j
        schedule: weekly
        "on": sunday
""",
    path="schedule.yaml",
)
MONDAY = date(2025, 6, 2)


def names(tasks) -> list[str]:
    return [task.command for task in tasks]


def select(kind: str, today: date = MONDAY, **given) -> list[str]:
    return names(select_tasks(SCHEDULE, Selection(kind=kind, **given), today=today))


def test_daily_runs_enabled_tasks_of_all_groups_in_file_order() -> None:
    assert select("daily") == ["run_a", "run_g"]
    assert select("daily", group="reporting") == ["run_g"]


def test_unknown_group_is_an_error_not_an_empty_run() -> None:
    with pytest.raises(
        SelectionError, match=r"unknown group 'gitlab' in schedule\.yaml; groups: github, reporting"
    ):
        select("daily", group="gitlab")


@pytest.mark.parametrize("text", ["monday", "Mon", "MON", " mon "])
def test_weekday_names_and_abbreviations(text) -> None:
    assert parse_weekday(text) == "monday"
    assert select("weekly", day_of_week=parse_weekday(text)) == ["run_b"]


def test_weekly_defaults_to_today_and_rejects_other_words() -> None:
    assert select("weekly") == ["run_b"]
    assert select("weekly", today=date(2025, 6, 8)) == ["run_j"]
    assert parse_weekday("mo") is None
    assert select("weekly", day_of_week="tuesday") == []


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 1, 31), True),
        (date(2025, 1, 30), False),
        (date(2025, 2, 28), True),
        (date(2024, 2, 28), False),
        (date(2024, 2, 29), True),
        (date(2025, 4, 30), True),
    ],
)
def test_day_31_runs_on_the_last_day_of_short_months(day, expected) -> None:
    assert monthly_day_matches(31, day) is expected


def test_monthly_selection_by_day_and_by_date() -> None:
    assert select("monthly", day_of_month=3) == ["run_h"]
    assert select("monthly", today=date(2025, 4, 30)) == ["run_e"]
    assert select("monthly", today=date(2025, 4, 3)) == ["run_h"]
    # --day-of-month 30 in a 30-day month also runs the tasks set for the 31st.
    assert select("monthly", today=date(2025, 4, 1), day_of_month=30) == ["run_e"]
    assert select("monthly", today=date(2025, 5, 1), day_of_month=30) == []


def test_interval_matches_minutes_across_groups() -> None:
    assert select("interval", interval_minutes=15) == ["run_c"]
    assert select("interval", interval_minutes=60) == ["run_i"]
    assert select("interval", interval_minutes=30) == []
    assert select("interval") == ["run_c", "run_i"]


def test_on_release_selection() -> None:
    assert select("on_release") == ["run_f"]


def test_group_batch_has_due_non_interval_tasks_in_order() -> None:
    github, reporting = SCHEDULE.groups
    assert names(batch_tasks(github, today=MONDAY)) == ["run_a", "run_b"]
    assert names(batch_tasks(github, today=date(2025, 6, 3))) == ["run_a"]
    assert names(batch_tasks(reporting, today=date(2025, 6, 3))) == ["run_f", "run_g", "run_h"]
    assert names(batch_tasks(reporting, today=date(2025, 6, 30))) == ["run_e", "run_f", "run_g"]


def test_next_run_times() -> None:
    github, reporting = SCHEDULE.groups
    now = datetime(2025, 6, 2, 5, 0, tzinfo=UTC)  # Monday, after github's 04:10
    a, b, c, d = github.tasks
    e, f = reporting.tasks[:2]
    assert next_run(a, github, now=now) == "2025-06-03 04:10 UTC"
    assert next_run(b, github, now=now) == "2025-06-09 04:10 UTC"
    assert (
        next_run(c, github, now=now) == "every 15 min (Beat entry boost-collector-interval-15min)"
    )
    assert next_run(d, github, now=now) == "disabled"
    assert next_run(e, reporting, now=now) == "2025-06-30 06:00 UTC"
    assert next_run(f, reporting, now=now) == (
        "2025-06-02 06:00 UTC if a new release is detected (checked in every group batch)"
    )


def test_args_are_kept_as_strings() -> None:
    assert SCHEDULE.groups[1].tasks[2].args == ("--format", "json")
