"""The command end to end against the loopback server."""

from __future__ import annotations

import pytest

from wg21_paper_tracker.models import Author, Mailing, Paper, PaperRevision, RevisionAuthor
from wg21_paper_tracker.tests.conftest import run

pytestmark = pytest.mark.django_db


def test_smoke(wg21) -> None:
    row, out = run("--from", "2023-01")
    print(out)
    print(row.counters)
    print(list(Mailing.objects.values_list("mailing_id", "title")))
    print(
        PaperRevision.objects.count(),
        Paper.objects.count(),
        Author.objects.count(),
        RevisionAuthor.objects.count(),
    )
    row, out = run("--from", "2023-01")
    print(out, row.counters)
    assert 0
