"""Faults and kills from outside: the collector in a child process, the source on a
loopback socket. A failed page ends the run in one line with its category; a run
killed at a random moment leaves whole mailings only, and the next run stores exactly
what an undisturbed run stores (compared by natural key, so a lost row cannot hide
behind a duplicate)."""

from __future__ import annotations

import os
import random
import time
from io import StringIO

import pytest
from django.core.management import call_command

from core.models import Checkpoint, CollectorRun, HttpCacheEntry, QuarantinedItem
from core.testing import fixture_server as faults
from core.testing.manage import (
    kill_and_wait,
    run_on_test_db,
    start_on_test_db,
    wait_until_started,
)
from wg21_paper_tracker.models import Author, Mailing, Paper, PaperRevision, RevisionAuthor
from wg21_paper_tracker.tests.conftest import PAPERS

pytestmark = pytest.mark.django_db(transaction=True)

KILL_ROUNDS = int(os.environ.get("KILL_ROUNDS", "3"))
ARGS = ("run_wg21_paper_tracker", "--from", "2023-01")
KEYS = {
    Mailing: ("mailing_id", "title"),
    Paper: ("number", "title"),
    PaperRevision: ("document_id", "mailing__mailing_id", "title", "document_date", "url"),
    Author: ("name_key", "email"),
    RevisionAuthor: ("revision__document_id", "position", "author__name_key"),
    QuarantinedItem: ("scope", "item_key"),
}


def natural_keys() -> dict[str, list]:
    return {
        model.__name__: sorted(model.objects.values_list(*fields)) for model, fields in KEYS.items()
    }


def wipe() -> None:
    for model in (*KEYS, Checkpoint, HttpCacheEntry):
        model.objects.all().delete()


def undisturbed_keys() -> dict[str, list]:
    call_command(*ARGS, stdout=StringIO())
    keys = natural_keys()
    assert keys["PaperRevision"], keys
    assert keys["RevisionAuthor"], keys
    wipe()
    return keys


def test_a_failed_page_ends_in_one_line_and_the_next_run_completes(wg21, child_env) -> None:
    expected = undisturbed_keys()
    wg21.fail("GET", f"{PAPERS}2024/", faults.server_error(502), times=2)

    result = run_on_test_db(*ARGS, **child_env)

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    [line] = lines
    assert "phase=run category=upstream]" in line
    assert "could not read mailing 2024-01 (GET " in line
    assert "returned HTTP 502" in line
    assert result.stdout.splitlines()[-1].endswith("(upstream, phase run)")

    call_command(*ARGS, stdout=StringIO())

    assert natural_keys() == expected


def test_killed_at_random_moments_then_resumed_stores_what_an_undisturbed_run_does(
    wg21, child_env
) -> None:
    expected = undisturbed_keys()
    seed = int(os.environ.get("KILL_SEED", time.time_ns() % 100_000))
    chance = random.Random(seed)
    for _ in range(KILL_ROUNDS):
        # Every page a little slow, so a kill lands between (or inside) mailings.
        for target in wg21.targets("GET"):
            wg21.fail("GET", target, faults.delay(0.2))
        process = start_on_test_db(*ARGS, **child_env)
        wait_until_started(process.pid)
        time.sleep(chance.uniform(0.0, 1.2))
        kill_and_wait(process, lock_name="command:run_wg21_paper_tracker")
        wg21.clear_faults()

    out = StringIO()
    call_command(*ARGS, stdout=out)

    assert "succeeded" in out.getvalue()
    assert natural_keys() == expected, f"KILL_SEED={seed}"
    assert not CollectorRun.objects.filter(status="running").exists()
