"""Faults and kills from outside: the collector in a child process, HyperKitty on a
loopback socket. A failing list ends the run in one line with the right category,
the other lists stored; a run killed with SIGKILL mid-walk is resumed by the next run,
which stores exactly what an undisturbed run stores (by natural key)."""

from __future__ import annotations

import os
import random
import time
from io import StringIO

import pytest
from django.core.management import call_command

from boost_mailing_list_tracker import testing
from boost_mailing_list_tracker.models import Message, Sender, Thread
from boost_mailing_list_tracker.tests.conftest import PAGE_SIZE
from core.models import Checkpoint, CollectorRun
from core.testing import fixture_server as faults
from core.testing.manage import kill_and_wait, run_on_terminal, run_on_test_db, start_on_test_db

pytestmark = pytest.mark.django_db(transaction=True)

COMMAND = "run_boost_mailing_list_tracker"
KILL_ROUNDS = int(os.environ.get("KILL_ROUNDS", "2"))


def natural_keys() -> dict[str, set]:
    return {
        "messages": set(
            Message.objects.values_list("mailing_list__name", "message_hash", "thread__root_hash")
        ),
        "senders": set(Sender.objects.values_list("key", "display_name")),
        "threads": set(Thread.objects.values_list("mailing_list__name", "root_hash", "subject")),
    }


def undisturbed_keys() -> dict[str, set]:
    call_command(COMMAND, stdout=StringIO())
    keys = natural_keys()
    assert len(keys["messages"]) == 8
    Message.objects.all().delete()
    Thread.objects.all().delete()
    Sender.objects.all().delete()
    Checkpoint.objects.all().delete()
    return keys


FAULTS = {
    "5xx burst": (faults.server_error(502), "upstream"),
    "hang": (faults.delay(3), "timeout"),
    "reset": (faults.reset(), "network"),
    "truncated body": (faults.truncated(), "network"),
}


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_a_failing_list_ends_in_one_line_and_the_others_are_stored(
    hyperkitty, child_env, fault
) -> None:
    expected = undisturbed_keys()
    reply, category = FAULTS[fault]
    target = testing.emails_target("boost-users", offset=0, limit=PAGE_SIZE)
    hyperkitty.fail("GET", target, reply, times=2)  # every attempt

    result = run_on_test_db(COMMAND, **child_env)

    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1, result.stderr
    assert f"phase=run category={category}]" in errors[0]
    assert "1 of 3 lists failed (boost-users@lists.boost.org)" in errors[0]
    assert "Traceback" not in result.stderr
    assert {name for name, _, _ in natural_keys()["messages"]} == {"boost", "boost-announce"}
    failed = CollectorRun.objects.latest("id")
    assert (failed.status, failed.failure_category) == ("failed", category)

    hyperkitty.clear_faults()
    call_command(COMMAND, stdout=StringIO())
    assert natural_keys() == expected


def wait_for_requests(server: faults.FixtureServer, count: int, timeout: float = 60) -> None:
    """Until the child has sent `count` requests: it is then inside its walk."""
    deadline = time.monotonic() + timeout
    while server.hits() < count:
        if time.monotonic() > deadline:
            pytest.fail(f"the child sent only {server.hits()} requests")
        time.sleep(0.02)


def test_killed_mid_walk_then_resumed_stores_what_an_undisturbed_run_does(
    hyperkitty, child_env
) -> None:
    expected = undisturbed_keys()
    seed = int(os.environ.get("KILL_SEED", time.time_ns() % 100_000))
    chance = random.Random(seed)
    for _ in range(KILL_ROUNDS):
        for target in hyperkitty.targets("GET"):
            hyperkitty.fail("GET", target, faults.delay(0.1))
        already = hyperkitty.hits()
        process = start_on_test_db(COMMAND, **child_env)
        wait_for_requests(hyperkitty, already + chance.randint(1, 12))
        kill_and_wait(process, lock_name=f"command:{COMMAND}")
        hyperkitty.clear_faults()

    out = StringIO()
    call_command(COMMAND, stdout=out)

    assert "succeeded" in out.getvalue()
    assert natural_keys() == expected, f"KILL_SEED={seed}"
    assert not CollectorRun.objects.filter(status="running").exists()


def test_a_terminal_sees_the_list_being_read(child_env) -> None:
    drawn = run_on_terminal(COMMAND, env=child_env)

    assert "list boost@lists.boost.org" in drawn
    assert "boost_mailing_list_tracker: succeeded in" in drawn
