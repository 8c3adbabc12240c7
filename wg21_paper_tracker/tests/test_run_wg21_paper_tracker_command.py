"""`run_wg21_paper_tracker` end to end against the loopback server: what an operator sees."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import Checkpoint, CollectorRun, HttpCacheEntry, QuarantinedItem
from core.testing import fixture_server as faults
from wg21_paper_tracker.models import Author, Mailing, Paper, PaperRevision, RevisionAuthor
from wg21_paper_tracker.tests.conftest import INDEX, PAPERS, add_page, index_body, run, sample

pytestmark = pytest.mark.django_db

TABLES = (Mailing, Paper, PaperRevision, Author, RevisionAuthor)


def snapshot() -> dict[str, list]:
    """Every row of the app's tables with its change time: equal snapshots, nothing written."""
    return {
        model.__name__: sorted(model.objects.values_list("pk", "row_changed_at"))
        for model in TABLES
    }


def test_first_run_from_2023_01_fills_mailings_papers_revisions_and_authors(wg21) -> None:
    row, out = run("--from", "2023-01")

    assert row.status == "succeeded"
    assert list(Mailing.objects.values_list("mailing_id", flat=True)) == [
        "2023-01",
        "2023-02",
        "2023-05",
        "2024-01",
    ]
    page_revisions = set(
        PaperRevision.objects.exclude(mailing=None).values_list("document_id", flat=True)
    )
    assert page_revisions == {
        "N4928",
        "P2300R6",
        "P1000R5",
        "P2593R1",
        "P2759R0",
        "P2996R0",
        "P2300R7",
        "SD-1",
        "N4950",
        "P2300R8",
        "P3100R0",
    }
    # The index adds what no year page of the run lists (dates from 2023-01 on).
    index_only = set(
        PaperRevision.objects.filter(mailing=None).values_list("document_id", flat=True)
    )
    assert index_only == {"P2300R9", "P2300R10", "D2300R10"}
    p2300 = Paper.objects.get(number="P2300")
    assert sorted(
        PaperRevision.objects.filter(paper=p2300).values_list("document_id", flat=True)
    ) == [
        "D2300R10",
        "P2300R10",
        "P2300R6",
        "P2300R7",
        "P2300R8",
        "P2300R9",
    ]
    assert PaperRevision.objects.get(document_id="P2996R0").status == "open"
    assert Author.objects.filter(name="Michał Dominiak").count() == 1
    assert RevisionAuthor.objects.filter(revision__document_id="P2300R7").count() == 9
    lines = out.splitlines()
    assert lines[0] == (
        "2023-01 2023-01 pre-Issaquah mailing: 6 papers, 6 new, 0 changed, 2 quarantined (read)"
    )
    assert lines[1] == (
        "2023-02 2023-02 post-Issaquah mailing: 0 papers, 0 new, 0 changed, 0 quarantined (empty)"
    )
    assert lines[-1].startswith("wg21_paper_tracker: succeeded in ")
    assert "14 created" in lines[-1]
    assert "3 quarantined" in lines[-1]
    assert row.counters["api_requests"] == 4  # the index page, two year pages, index.json


def test_a_second_run_costs_only_conditional_requests_and_changes_nothing(wg21) -> None:
    run("--from", "2023-01")
    before = snapshot()
    checkpoints = sorted(Checkpoint.objects.values_list("source_key", "updated_at"))
    asked = len(wg21.requests)

    row, out = run("--from", "2023-01")

    assert row.status == "succeeded"
    assert row.counters["api_requests"] == row.counters["not_modified"] == 4
    assert "created" not in row.counters
    assert "updated" not in row.counters
    assert snapshot() == before
    assert sorted(Checkpoint.objects.values_list("source_key", "updated_at")) == checkpoints
    second = wg21.requests[asked:]
    assert all("if-none-match" in request.headers for request in second)
    assert "2024-01 2024-01 pre-Tokyo mailing: 2 papers, 0 new, 0 changed" in out
    assert (
        "index wg21.link index: 0 papers, 0 new, 0 changed, 0 quarantined (unchanged (304))"
    ) in out.splitlines()
    assert "(unchanged (304))" in out


def test_a_mailing_whose_page_failed_is_completed_by_the_next_run(wg21) -> None:
    wg21.fail("GET", f"{PAPERS}2024/", faults.server_error(503), times=2)  # both attempts

    with pytest.raises(
        RuntimeError,
        match=r"^could not read mailing 2024-01 \(GET .*/2024/ returned HTTP 503\); the next run",
    ):
        run("--from", "2023-01")

    failed = CollectorRun.objects.latest("id")
    assert (failed.status, failed.failure_category) == ("failed", "upstream")
    assert Mailing.objects.filter(mailing_id="2024-01").exists()  # listed, no papers yet
    assert not PaperRevision.objects.filter(mailing__mailing_id="2024-01").exists()
    assert PaperRevision.objects.filter(mailing__mailing_id="2023-05").count() == 3

    row, out = run("--from", "2023-01")

    assert row.status == "succeeded"
    assert PaperRevision.objects.filter(mailing__mailing_id="2024-01").count() == 2
    assert "2024-01 2024-01 pre-Tokyo mailing: 2 papers, 2 new" in out


def test_an_empty_mailing_is_read_again_until_it_has_papers(wg21) -> None:
    run("--from", "2023-01")
    assert not PaperRevision.objects.filter(mailing__mailing_id="2023-02").exists()
    page = sample("papers__2023.html").replace(
        b"<p>The papers of this mailing are not available yet.</p>",
        b"<table><tr><td><a href='p2800r0.pdf'>P2800R0</a></td><td>Dependency flag soup"
        b"</td><td>Ben Craig</td><td>2023-02-10</td><td>2023-02</td><td></td><td>SG15</td>"
        b"<td></td></tr></table>",
    )
    wg21.clear("GET", f"{PAPERS}2023/")
    add_page(wg21, f"{PAPERS}2023/", page)

    row, _out = run("--from", "2023-01")

    assert list(
        PaperRevision.objects.filter(mailing__mailing_id="2023-02").values_list(
            "document_id", flat=True
        )
    ) == ["P2800R0"]
    assert row.counters["created"] == 1


def test_the_newest_mailing_is_always_read_again_for_late_papers(wg21) -> None:
    run("--from", "2023-01")
    page = sample("papers__2024.html").replace(
        b"</table>",
        b"<tr><td><a href='p3200r0.html'>P3200R0</a></td><td>A late paper</td><td>Ann Author"
        b"</td><td>2024-01-20</td><td>2024-01</td><td></td><td>LEWG</td><td></td></tr></table>",
    )
    wg21.clear("GET", f"{PAPERS}2024/")
    add_page(wg21, f"{PAPERS}2024/", page)

    row, _ = run("--from", "2023-01")

    late = PaperRevision.objects.select_related("mailing").get(document_id="P3200R0")
    assert late.mailing is not None
    assert late.mailing.mailing_id == "2024-01"
    assert row.counters["created"] == 1


def test_bad_rows_are_quarantined_and_released_once_they_parse(wg21) -> None:
    row, _ = run("--from", "2023-01")
    kept = dict(QuarantinedItem.objects.values_list("item_key", "scope"))
    assert kept == {
        "2023-01:P2999R0": "mailing:2023-01",
        "2023-01:P2998R0": "mailing:2023-01",
        "P0002R0": "index",
    }
    assert row.counters["quarantined"] == 3
    fixed = sample("papers__2023.html").replace(b"2023-13-45", b"2023-01-21")
    wg21.clear("GET", f"{PAPERS}2023/")
    add_page(wg21, f"{PAPERS}2023/", fixed)

    row, _out = run("--mailing", "2023-01")

    assert row.counters["released"] == 1
    assert PaperRevision.objects.filter(document_id="P2998R0").exists()
    assert set(QuarantinedItem.objects.values_list("item_key", flat=True)) == {
        "2023-01:P2999R0",
        "P0002R0",
    }


def test_the_old_layout_year_is_read_with_year(wg21) -> None:
    run("--year", "2004")

    assert list(
        PaperRevision.objects.filter(mailing__mailing_id="2004-01")
        .order_by("document_id")
        .values_list("document_id", "subgroup")
    ) == [("N1543", "Evolution"), ("N1550", "Library"), ("N1555", "WG21")]
    assert Mailing.objects.get().title == "2004-01 pre-Sydney mailing"


def test_paper_selects_only_that_papers_revisions(wg21) -> None:
    run("--paper", "p2300r7")

    assert set(Paper.objects.values_list("number", flat=True)) == {"P2300"}
    assert PaperRevision.objects.count() == 6


def test_dry_run_shows_what_would_change_and_writes_nothing(wg21) -> None:
    row, out = run("--from", "2023-01", "--dry-run")

    assert row.status == "succeeded"
    assert all(not model.objects.exists() for model in TABLES)
    assert not HttpCacheEntry.objects.exists()
    assert not Checkpoint.objects.exists()
    assert not QuarantinedItem.objects.exists()
    assert "2023-01 2023-01 pre-Issaquah mailing: 6 papers, 6 would add, 0 would change" in out


def test_json_format_is_one_line_of_json_before_the_summary(wg21) -> None:
    _, out = run("--from", "2024-01", "--format", "json")

    report = json.loads(out.splitlines()[0])
    assert report["dry_run"] is False
    assert [m["mailing_id"] for m in report["mailings"]] == ["2024-01", "index"]
    assert report["mailings"][0]["created"] == 2


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_rich_table(wg21) -> None:
    out = Terminal()

    call_command("run_wg21_paper_tracker", "--from", "2023-01", stdout=out)

    text = out.getvalue()
    assert "WG21 mailings" in text
    assert "┏━" in text
    assert "Mailing" in text
    assert "2023-05" in text
    assert "pre-Varna" in text


def test_search_finds_a_paper_by_a_phrase_of_its_title(wg21) -> None:
    run("--from", "2023-01")
    out = StringIO()

    call_command("search", '"static_assert(false)"', "--json", stdout=out)

    hits = json.loads(out.getvalue())
    assert hits
    assert hits[0]["doc_id"] == "wg21-P2593R1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2023"], "--from '2023' is not a mailing month; use YYYY-MM, e.g. 2023-01"),
        (["--to", "2023-13"], "--to '2023-13' is not a mailing month; use YYYY-MM, e.g. 2023-01"),
        (["--from", "2024-01", "--to", "2023-01"], "--from 2024-01 is after --to 2023-01"),
        (["--mailing", "jan"], "--mailing 'jan' is not a mailing month; use YYYY-MM, e.g. 2023-01"),
        (["--year", "23"], "--year '23' is not a year; use four digits, e.g. 2023"),
        (
            ["--paper", "CWG2000"],
            "--paper 'CWG2000' is not a WG21 paper; use P2300, N4950 or SD-1 (a revision such "
            "as P2300R7 selects its paper)",
        ),
        (
            ["--download", "--dry-run"],
            "--download and --dry-run cannot be combined: a dry run fetches no documents",
        ),
    ],
)
def test_bad_flags_are_one_line_errors(wg21, args, message) -> None:
    with pytest.raises(CommandError) as raised:
        run(*args)

    assert str(raised.value) == message
    assert wg21.hits() == 0


def test_a_mailing_the_index_does_not_list_is_an_error(wg21) -> None:
    with pytest.raises(CommandError) as raised:
        run("--mailing", "2022-11")

    assert str(raised.value) == f"--mailing 2022-11 is not listed in {wg21.base_url}{PAPERS}"


def test_a_bad_papers_url_setting_is_an_error(wg21, settings) -> None:
    settings.WG21_PAPERS_URL = "open-std.org/papers"

    with pytest.raises(CommandError) as raised:
        run()

    assert str(raised.value) == (
        "WG21_PAPERS_URL 'open-std.org/papers' is not an http(s) URL; set it in .env"
    )


def test_an_answer_larger_than_the_bound_is_refused(wg21, settings) -> None:
    settings.WG21_MAX_RESPONSE_BYTES = 1024
    wg21.clear("GET", f"{PAPERS}2023/")
    add_page(wg21, f"{PAPERS}2023/", sample("papers__2023.html") + b" " * 2048)

    with pytest.raises(RuntimeError) as raised:
        run("--year", "2023")

    assert str(raised.value) == (
        f"could not read mailings 2023-01, 2023-02, 2023-05 ({wg21.base_url}{PAPERS}2023/ is "
        f"larger than 1024 bytes; refused), index ({wg21.base_url}/index.json is larger than "
        "1024 bytes; refused); the next run reads them again"
    )
    assert CollectorRun.objects.latest("id").failure_category == "validation"


def test_a_papers_index_that_is_not_one_fails_in_one_line(wg21) -> None:
    wg21.clear("GET", PAPERS)
    add_page(wg21, PAPERS, b"<html><body>Maintenance</body></html>")

    with pytest.raises(ValueError, match="no mailing links"):
        run()

    assert CollectorRun.objects.latest("id").failure_category == "validation"
    assert not Mailing.objects.exists()


def test_download_makes_a_papers_text_searchable(wg21) -> None:
    row, _ = run("--mailing", "2023-05", "--download")
    out = StringIO()

    call_command("search", '"schedulers, senders and receivers"', "--json", stdout=out)

    assert row.counters["documents_downloaded"] == 2
    hits = json.loads(out.getvalue())
    assert [hit["doc_id"] for hit in hits] == ["wg21-P2300R7"]


def test_an_archived_run_replays_to_the_same_rows_without_the_network(wg21, settings) -> None:
    run("--from", "2024-01", "--archive")
    stored = sorted(PaperRevision.objects.values_list("document_id", "title", "url"))
    [archive] = (Path(settings.WORKSPACE_DIR) / "raw" / "wg21_paper_tracker").iterdir()
    for model in (*TABLES, HttpCacheEntry, Checkpoint, QuarantinedItem):
        model.objects.all().delete()
    asked = wg21.hits()

    row, _ = run("--from", "2024-01", "--replay", str(archive))

    assert row.status == "succeeded"
    assert wg21.hits() == asked
    assert sorted(PaperRevision.objects.values_list("document_id", "title", "url")) == stored


def test_the_real_2017_index_is_stored_in_batches_grouped_by_paper(wg21) -> None:
    wg21.clear("GET", INDEX)
    add_page(wg21, INDEX, index_body(wg21, "specref/wg21_2017-03-22.json"), kind="application/json")

    row, out = run("--year", "2004")

    assert row.status == "succeeded"
    # 4,067 paper entries, one refused; the 2004 page's three N-papers are among them.
    assert PaperRevision.objects.count() == 4066
    assert Paper.objects.count() == 3667
    assert PaperRevision.objects.filter(paper__number="P0057").count() == 9
    assert not PaperRevision.objects.filter(document_id__startswith="WG21-").exists()
    assert not PaperRevision.objects.filter(document_id__startswith="CWG").exists()
    # The page's values won where both had one; the index filled the rest.
    n1543 = PaperRevision.objects.get(document_id="N1543")
    assert n1543.mailing is not None
    assert n1543.subgroup == "Evolution"
    kept = QuarantinedItem.objects.filter(scope="index").values_list("item_key", flat=True)
    assert list(kept) == ["N4063"]  # dated 20141620
    assert "index wg21.link index: 4066 papers" in out
