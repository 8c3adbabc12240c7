"""A search killed mid-pass resumes at its checkpoint; an archived run replays offline."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from boost_usage_tracker.models import BoostUsage, ExternalRepository
from boost_usage_tracker.testing.search_server import make_corpus
from boost_usage_tracker.tests.conftest import (
    run,
    start_search_child,
    start_server,
    store_catalogue,
)
from boost_usage_tracker.tests.test_search_planner import expected_pairs, search_pages, stored_pairs
from core.models import Checkpoint, HttpCacheEntry
from core.testing.manage import kill_and_wait

LOCK = "command:run_boost_usage_tracker"


@pytest.mark.django_db(transaction=True)
def test_a_search_killed_mid_pass_resumes_at_its_checkpoint(settings, tmp_path, fake_clock):
    store_catalogue()
    # Real time in the child: a budget it never reaches, answers slow enough to kill.
    server = start_server(settings, tmp_path, make_corpus(files=2_500, repos=100), limit=100_000)
    server.search_delay = 0.05
    try:
        child = start_search_child(server, tmp_path)
        deadline = time.monotonic() + 120
        while server.search_requests < 12 and child.poll() is None:
            assert time.monotonic() < deadline, "the child never searched"
            time.sleep(0.02)
        kill_and_wait(child, lock_name=LOCK)
        assert Checkpoint.objects.filter(collector="boost_usage_tracker", source_key="all").exists()
        killed_at = len(search_pages(server))
        server.search_delay = 0

        resumed, out = run("--task", "search", clock=fake_clock)

        assert resumed.status == "succeeded", out
        assert "resuming the pass of" in out
        assert stored_pairs() == expected_pairs(server)
        pages = search_pages(server)
        # At most the page in flight at the kill is asked again.
        assert len(pages) - len(set(pages)) <= 1
        assert len(pages) > killed_at
    finally:
        server.stop()


@pytest.mark.django_db
def test_an_archived_run_replays_the_same_rows_without_requests(small_server, fake_clock, settings):
    run("--task", "all", "--archive", clock=fake_clock)
    before = (stored_pairs(), ExternalRepository.objects.count())
    [archive] = Path(settings.WORKSPACE_DIR).glob("raw/boost_usage_tracker/*")
    BoostUsage.objects.all().delete()
    ExternalRepository.objects.all().delete()
    HttpCacheEntry.objects.all().delete()
    hits = small_server.hits()

    replayed, out = run("--task", "all", "--replay", str(archive), clock=fake_clock)

    assert replayed.status == "succeeded", out
    assert small_server.hits() == hits
    assert (stored_pairs(), ExternalRepository.objects.count()) == before
