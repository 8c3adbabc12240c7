"""The collector without its command (the tutorial's §4 pattern): built directly, run
directly, against the loopback server; nothing of the project is mocked."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from core.http import HttpOptions
from core.models import Checkpoint
from wg21_paper_tracker.collectors import WG21PaperCollector, parse_paper_number
from wg21_paper_tracker.models import PaperDocument, PaperRevision
from wg21_paper_tracker.tests.conftest import PAPERS

pytestmark = pytest.mark.django_db


def collector(**options) -> WG21PaperCollector:
    options.setdefault("stdout", None)
    return WG21PaperCollector(style=None, http=HttpOptions(), **options)


def test_validate_config_rejects_a_bad_month_without_any_request(wg21) -> None:
    with pytest.raises(CommandError, match="--from '2023/01' is not a mailing month"):
        collector(since="2023/01").validate_config()

    assert wg21.hits() == 0


def test_validate_config_normalises_papers_and_mailings() -> None:
    built = collector(papers=["p2300r7", "N4950"], mailings=["2023-01"], years=["2024"])

    built.validate_config()

    assert built.papers == frozenset({"P2300", "N4950"})
    assert (built.mailing_ids, built.years) == ({"2023-01"}, {2024})
    assert built.narrowed


def test_parse_paper_number_keeps_the_paper_of_a_revision() -> None:
    assert parse_paper_number("D2300R10") == "P2300"
    assert parse_paper_number("sd-1") == "SD-1"


def test_run_without_a_stdout_stores_and_counts(wg21) -> None:
    built = collector(since="2024-01")

    built.run()

    assert PaperRevision.objects.filter(mailing__mailing_id="2024-01").count() == 2
    # Two page revisions; P2300R9, P2300R10 and the draft D2300R10 from the index.
    assert built.counters.get("created") == 5
    assert [m.mailing_id for m in built.report.mailings] == ["2024-01", "index"]


def test_plan_reads_new_incomplete_and_newest_mailings_only(wg21) -> None:
    collector(since="2023-01").run()
    second = collector(since="2023-01")

    second.run()

    # 2023-01 and 2023-05 have papers and are not the newest: not read again.
    assert [m.mailing_id for m in second.report.mailings] == ["2023-02", "2024-01", "index"]


def test_full_reads_every_selected_mailing_again(wg21) -> None:
    collector(since="2023-01").run()
    again = collector(since="2023-01", full=True)

    again.run()

    assert [m.mailing_id for m in again.report.mailings] == [
        "2023-01",
        "2023-02",
        "2023-05",
        "2024-01",
        "index",
    ]
    assert again.counters.get("created") == 0


def test_each_mailing_keeps_a_checkpoint_with_its_page_validator(wg21) -> None:
    collector(since="2023-01").run()

    cursors = dict(Checkpoint.objects.values_list("source_key", "cursor"))
    assert cursors["mailing:2023-05"]["papers"] == 3
    assert cursors["mailing:2023-05"]["validator"].startswith('"')
    assert "mailing:2023-02" not in cursors  # empty: nothing stored, read again next run
    assert cursors["index:2023-01||"]["papers"] == 6


def test_download_fetches_new_revisions_files_and_extracts_their_text(wg21, settings) -> None:
    built = collector(mailings=["2023-05"], download=True, stdout=StringIO())

    built.run()

    documents = {
        d.revision.document_id: d for d in PaperDocument.objects.select_related("revision")
    }
    assert documents["P2300R7"].status == "extracted"
    assert "schedulers, senders and receivers" in documents["P2300R7"].text
    assert "tracking" not in documents["P2300R7"].text  # the script is not text
    assert documents["N4950"].status == "extracted"
    assert "the sender adaptors" in documents["N4950"].text
    assert documents["N4950"].path == "2023/n4950.pdf"
    # sd-1.htm is not served: recorded as failed, asked again by the next --download.
    assert (documents["SD-1"].status, documents["SD-1"].note) == (
        "failed",
        f"HTTPStatusError: GET {wg21.base_url}{PAPERS}2023/sd-1.htm returned HTTP 404",
    )
    files = [p.name for p in Path(settings.WORKSPACE_DIR).rglob("*") if p.is_file()]
    assert sorted(files) == ["n4950.pdf", "p2300r7.html"]  # no .part left behind
    assert built.counters.get("documents_downloaded") == 2
    assert built.counters.get("documents_failed") == 1


def test_a_document_over_the_size_bound_is_refused_and_leaves_no_file(wg21, settings) -> None:
    settings.WG21_MAX_DOCUMENT_BYTES = 100

    collector(mailings=["2023-05"], download=True).run()

    document = PaperDocument.objects.get(revision__document_id="P2300R7")
    assert document.status == "failed"
    assert "is larger than 100 bytes; refused" in document.note
    assert not [p for p in Path(settings.WORKSPACE_DIR).rglob("*") if p.is_file()]
