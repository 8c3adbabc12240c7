"""WG21: the real 2017 index parsed and stored, and the requests of a first and an
unchanged run over the test samples (loopback server)."""

from __future__ import annotations

import json
import time
from io import StringIO

import pytest
from django.core.management import call_command

from core.models import CollectorRun
from wg21_paper_tracker import services
from wg21_paper_tracker.collectors import INDEX_BATCH
from wg21_paper_tracker.parsers import parse_index
from wg21_paper_tracker.tests.conftest import FIXTURES, add_routes, point_at

pytestmark = pytest.mark.django_db


def test_index_ingest_rate(request_lines) -> None:
    body = json.loads((FIXTURES / "specref" / "wg21_2017-03-22.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    page, _ = parse_index(body, url="https://wg21.link/index.json")
    parsed = time.perf_counter()
    for start in range(0, len(page.items), INDEX_BATCH):
        services.store_revisions(items=page.items[start : start + INDEX_BATCH], source="index")
    stored = time.perf_counter()
    again = time.perf_counter()
    for start in range(0, len(page.items), INDEX_BATCH):
        counts = services.store_revisions(
            items=page.items[start : start + INDEX_BATCH], source="index"
        )
        assert counts.revisions.created == counts.revisions.updated == 0
    unchanged = time.perf_counter() - again
    count = len(page.items)
    request_lines.append(
        f"wg21 index (2017, {count} revisions): parsed in {parsed - started:.2f}s, stored at "
        f"{count / (stored - parsed):.0f} revisions/s, unchanged re-store {count / unchanged:.0f}"
        " revisions/s (0 rows written)"
    )


def test_requests_of_a_first_and_an_unchanged_run(
    settings, fixture_server, tmp_path, request_lines
) -> None:
    point_at(settings, fixture_server, tmp_path)
    add_routes(fixture_server)
    for label in ("first run", "unchanged re-run"):
        call_command("run_wg21_paper_tracker", "--from", "2023-01", stdout=StringIO())
        counters = CollectorRun.objects.order_by("-id")[0].counters
        request_lines.append(
            f"wg21 --from 2023-01, {label}: {counters.get('api_requests', 0)} requests "
            f"({counters.get('not_modified', 0)} answered 304)"
        )
