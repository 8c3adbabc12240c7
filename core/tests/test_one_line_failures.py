"""A failure reads as one line: what an operator sees on a terminal, from outside.

Each test runs `manage.py` in a child process on the test database and reads its
stdout and stderr: a known failure is one log record on stderr (no traceback) and
one summary line on stdout; a batch prints its summary once. Tracebacks appear only
for unknown failures, with --traceback, at -v 2, or as a field of JSON logs.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from core.models import CollectorRun
from core.testing.manage import run_on_test_db

pytestmark = pytest.mark.django_db(transaction=True)

# The discard port: connection refused at once, like a machine without network.
OFFLINE = {
    "GITHUB_API_URL": "http://127.0.0.1:9",
    "GITHUB_TOKENS": "ghp_" + "Cafe0000" * 5,
    "HTTP_MAX_ATTEMPTS": "1",
}


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " ERROR " in line]


def test_network_failure_is_one_line_on_stderr_and_one_on_stdout() -> None:
    result = run_on_test_db(
        "run_github_activity_tracker", "--repo", "boostorg/json", LOG_LEVEL="warning", **OFFLINE
    )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert "[collector=github_activity_tracker phase=run category=network]" in line
    assert "no network access to 127.0.0.1" in line
    [summary] = result.stdout.splitlines()
    assert summary.startswith("github_activity_tracker: failed in ")
    assert summary.endswith("(network, phase run)")
    row = CollectorRun.objects.get(command="run_github_activity_tracker")
    assert (row.status, row.failure_category, row.exit_code) == ("failed", "network", 1)


def test_at_info_level_every_stderr_line_is_one_record_and_one_is_the_error() -> None:
    result = run_on_test_db("run_github_activity_tracker", "--repo", "boostorg/json", **OFFLINE)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert all(line[:4].isdigit() for line in lines), result.stderr  # each starts a record
    assert len(error_lines(result.stderr)) == 1


def test_command_error_is_one_line_with_its_exit_code() -> None:
    result = run_on_test_db("run_test_command_error", LOG_LEVEL="warning")
    assert result.returncode == 3
    [line] = result.stderr.splitlines()
    assert line.endswith(
        "[collector=test_command_error phase=run category=command] "
        "test_command_error: TEST_TOKEN is not set; add it to .env"
    )


def test_bad_flag_value_is_one_line() -> None:
    result = run_on_test_db(
        "run_github_activity_tracker", "--since", "2024-13-01", LOG_LEVEL="warning", **OFFLINE
    )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.endswith("--since '2024-13-01' is not a date; use YYYY-MM-DD (UTC)")


def test_unknown_failure_keeps_its_traceback_once() -> None:
    result = run_on_test_db("run_test_bug", LOG_LEVEL="warning")
    assert result.returncode == 1
    assert result.stderr.count("Traceback (most recent call last)") == 1
    assert "KeyError: 'items'" in result.stderr
    assert len(error_lines(result.stderr)) == 1


@pytest.mark.parametrize("flag", ["--traceback", "-v2"])
def test_a_known_failure_shows_its_traceback_when_asked(flag: str) -> None:
    result = run_on_test_db("run_test_fail", flag, LOG_LEVEL="warning")
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "RateLimitExhausted: test source: rate limit spent" in result.stderr


def test_json_logs_carry_the_traceback_as_a_field() -> None:
    result = run_on_test_db("run_test_fail", LOG_LEVEL="warning", LOG_FORMAT="json")
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    record = json.loads(line)
    assert (record["failure_category"], record["collector_phase"]) == ("rate_limit", "run")
    assert "RateLimitExhausted" in record["exc_info"]


def test_a_batch_prints_its_summary_once_and_each_failure_once(tmp_path) -> None:
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text(
        textwrap.dedent(
            """\
            groups:
              github:
                default_time: "04:10"
                tasks:
                  - command: run_test_ok
                    schedule: daily
                  - command: run_github_activity_tracker
                    schedule: daily
                    args: ["--repo", "boostorg/json"]
            """
        ),
        encoding="utf-8",
    )
    result = run_on_test_db(
        "run_scheduled_collectors",
        "--schedule",
        "daily",
        BOOST_COLLECTOR_SCHEDULE_YAML=str(schedule),
        **OFFLINE,
    )
    assert result.returncode == 1
    summary = "2 tasks: 1 succeeded, 1 failed (run_github_activity_tracker: network), 0 skipped"
    both = result.stdout + result.stderr
    assert both.count(summary) == 1
    assert result.stdout.splitlines()[-1].startswith(summary)
    assert "Traceback" not in both
    assert "CommandError" not in both
    assert len(error_lines(result.stderr)) == 1


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["run_scheduled_collectors", "--schedule", "monthly", "--day-of-month", "40"],
            "manage.py run_scheduled_collectors: error: argument --day-of-month: must be 1-31, "
            "got 40",
        ),
        (
            ["run_github_activity_tracker", "--bogus"],
            "manage.py run_github_activity_tracker: error: unrecognized arguments: --bogus",
        ),
    ],
)
def test_a_flag_argparse_refuses_is_one_line_without_the_usage_block(args, line) -> None:
    result = run_on_test_db(*args)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [line]
