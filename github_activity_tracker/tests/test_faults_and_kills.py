"""Faults and kills from outside: the collector in a child process, the source on a
loopback socket. Each disturbed run ends in one line with the right category and a
correct ledger row; the next run completes with exactly the rows of an undisturbed
run (by natural key).

The long kill loop is `make soak` (KILL_ROUNDS=20); the suite kills a few times.
"""

from __future__ import annotations

import os
import random
import time
from io import StringIO

import pytest
from django.core.management import call_command

from core.models import CollectorRun
from core.testing import fixture_server as faults
from core.testing.manage import (
    kill_and_wait,
    run_on_test_db,
    start_on_test_db,
    wait_until_started,
)
from github_activity_tracker.testing import github_routes as routes
from github_activity_tracker.tests.conftest import TOKEN
from github_activity_tracker.tests.snapshots import natural_keys, wipe

pytestmark = pytest.mark.django_db(transaction=True)

COMMENTS = f"{routes.BASE}/issues/comments?direction=asc&per_page=100&sort=updated"
KILL_ROUNDS = int(os.environ.get("KILL_ROUNDS", "2"))


def undisturbed_keys() -> dict:
    """Run once without faults, remember what it stored, then start from nothing again."""
    call_command("run_github_activity_tracker", stdout=StringIO())
    keys = natural_keys()
    assert all(keys[table] for table in ("Commit", "Issue", "Comment", "Review")), keys
    wipe()
    return keys


FAULTS = {
    "5xx burst": (faults.server_error(502), "upstream"),
    "hang": (faults.delay(3), "timeout"),
    "reset": (faults.reset(), "network"),
    "truncated body": (faults.truncated(), "network"),
    "403 rate limit": (faults.rate_limited(reset_at=time.time() + 3600), "rate_limit"),
    "429 secondary": (
        faults.rate_limited(status=429, remaining=None, retry_after=3600),
        "rate_limit",
    ),
}


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_a_fault_ends_in_one_line_and_the_next_run_completes(github, child_env, fault) -> None:
    expected = undisturbed_keys()
    reply, category = FAULTS[fault]
    github.fail("GET", COMMENTS, reply, times=2)  # every attempt of the comments page

    result = run_on_test_db("run_github_activity_tracker", **child_env)

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    [line] = lines
    assert f"phase=run category={category}]" in line
    assert "/issues/comments" in line or category == "rate_limit", line
    assert TOKEN not in result.stderr + result.stdout
    [summary] = result.stdout.splitlines()
    assert summary.endswith(f"({category}, phase run)")
    failed = CollectorRun.objects.latest("id")
    assert (failed.status, failed.failure_category, failed.phase) == ("failed", category, "run")
    assert natural_keys()["Issue"] == expected["Issue"]  # the stream before it is kept

    github.clear_faults()  # a rate limit is not retried: its second fault is still queued
    call_command("run_github_activity_tracker", stdout=StringIO())

    assert natural_keys() == expected


def test_killed_at_random_moments_then_resumed_stores_what_an_undisturbed_run_does(
    github, child_env
) -> None:
    expected = undisturbed_keys()
    seed = int(os.environ.get("KILL_SEED", time.time_ns() % 100_000))
    chance = random.Random(seed)
    for _ in range(KILL_ROUNDS):
        # Slow every list and detail down a little, so a kill lands mid-run.
        for target in github.targets("GET"):
            github.fail("GET", target, faults.delay(0.15))
        process = start_on_test_db("run_github_activity_tracker", **child_env)
        wait_until_started(process.pid)
        time.sleep(chance.uniform(0.0, 1.5))
        kill_and_wait(process, lock_name="command:run_github_activity_tracker")
        github.clear_faults()

    out = StringIO()
    call_command("run_github_activity_tracker", stdout=out)

    assert "succeeded" in out.getvalue()
    assert natural_keys() == expected, f"KILL_SEED={seed}"
    statuses = set(CollectorRun.objects.values_list("status", flat=True))
    assert statuses <= {"abandoned", "succeeded", "failed"}, statuses
    assert not CollectorRun.objects.filter(status="running").exists()
