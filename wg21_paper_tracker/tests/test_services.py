"""The services on the real database: create, re-run, change one field, refuse bad input."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from wg21_paper_tracker import services
from wg21_paper_tracker.items import AuthorName, MailingItem, RevisionItem
from wg21_paper_tracker.models import (
    Author,
    Mailing,
    Paper,
    PaperDocument,
    PaperRevision,
    RevisionAuthor,
)
from wg21_paper_tracker.parsers import parse_paper_id

pytestmark = pytest.mark.django_db

JANUARY = MailingItem("2023-01", "2023-01 pre-Issaquah mailing", 2023, date(2023, 1, 1))


def revision(document_id: str, **fields) -> RevisionItem:
    paper = parse_paper_id(document_id)
    assert paper is not None
    values = {
        "title": "std::execution",
        "authors": (AuthorName("Eric Niebler"), AuthorName("Lewis Baker")),
        "document_date": date(2023, 1, 19),
        "mailing_id": "2023-01",
        "subgroup": "LEWG",
        "formats": {"html": f"https://www.open-std.org/{document_id.lower()}.html"},
        "url": f"https://www.open-std.org/{document_id.lower()}.html",
    }
    values.update(fields)
    return RevisionItem(paper=paper, **values)


@pytest.fixture
def january() -> None:
    services.upsert_mailings(items=[JANUARY])


def authors_of(document_id: str) -> list[str]:
    return list(
        RevisionAuthor.objects.filter(revision__document_id=document_id)
        .order_by("position")
        .values_list("author__name", flat=True)
    )


def test_store_revisions_creates_paper_revision_and_ordered_authors(january) -> None:
    counts = services.store_revisions(
        items=[revision("P2300R6"), revision("P2300R7")], source=services.PAGE
    )

    assert counts.revisions.created == 2
    assert counts.papers.created == 1
    assert counts.authors.created == 2
    assert counts.links.created == 4
    paper = Paper.objects.get()
    assert (paper.number, paper.kind, paper.title) == ("P2300", "proposal", "std::execution")
    assert list(
        PaperRevision.objects.filter(paper=paper).values_list("document_id", "revision")
    ) == [
        ("P2300R6", 6),
        ("P2300R7", 7),
    ]
    assert PaperRevision.objects.get(document_id="P2300R7").mailing == Mailing.objects.get()
    assert authors_of("P2300R7") == ["Eric Niebler", "Lewis Baker"]


def test_a_second_store_of_the_same_rows_writes_nothing(january) -> None:
    items = [revision("P2300R6"), revision("N4928", title="Working Draft")]
    services.store_revisions(items=items, source=services.PAGE)
    stamps = list(PaperRevision.objects.values_list("row_changed_at", flat=True))

    counts = services.store_revisions(items=items, source=services.PAGE)

    assert counts.revisions == counts.revisions.__class__(0, 0, 2)
    assert counts.links.created == counts.links.updated == 0
    assert list(PaperRevision.objects.values_list("row_changed_at", flat=True)) == stamps
    assert PaperRevision.objects.count() == 2
    assert Author.objects.count() == 2


def test_changing_one_field_updates_only_that_revision(january) -> None:
    services.store_revisions(items=[revision("P2300R6"), revision("P2300R7")], source=services.PAGE)

    counts = services.store_revisions(
        items=[revision("P2300R6"), revision("P2300R7", disposition="Adopted")],
        source=services.PAGE,
    )

    assert (counts.revisions.created, counts.revisions.updated) == (0, 1)
    assert PaperRevision.objects.get(document_id="P2300R7").disposition == "Adopted"


def test_a_shorter_author_list_drops_the_positions_past_it(january) -> None:
    services.store_revisions(items=[revision("P2300R7")], source=services.PAGE)

    services.store_revisions(
        items=[revision("P2300R7", authors=(AuthorName("Lewis Baker"),))], source=services.PAGE
    )

    assert authors_of("P2300R7") == ["Lewis Baker"]


def test_the_index_fills_empty_fields_and_never_overwrites_the_page(january) -> None:
    services.store_revisions(
        items=[revision("P2300R7", document_date=None, subgroup="")], source=services.PAGE
    )
    from_index = revision(
        "P2300R7",
        title="another title",
        authors=(AuthorName("Someone Else"),),
        document_date=date(2023, 4, 21),
        subgroup="LEWG",
        mailing_id="",
        index_type="paper",
        status="adopted",
        formats={},
        url="",
    )

    services.store_revisions(items=[from_index], source=services.INDEX)

    row = PaperRevision.objects.get(document_id="P2300R7")
    assert (row.title, row.document_date, row.subgroup) == (
        "std::execution",
        date(2023, 4, 21),
        "LEWG",
    )
    assert (row.index_type, row.status) == ("paper", "adopted")
    assert row.mailing is not None
    assert authors_of("P2300R7") == ["Eric Niebler", "Lewis Baker"]
    assert row.url.endswith("p2300r7.html")

    # The page read again, still without a date, keeps the index's date.
    counts = services.store_revisions(
        items=[revision("P2300R7", document_date=None, subgroup="")], source=services.PAGE
    )
    assert counts.revisions.updated == 0
    assert PaperRevision.objects.get(document_id="P2300R7").document_date == date(2023, 4, 21)


def test_a_revision_only_in_the_index_has_no_mailing(january) -> None:
    services.store_revisions(
        items=[revision("P2300R10", mailing_id="", index_type="paper")], source=services.INDEX
    )

    row = PaperRevision.objects.get()
    assert row.mailing is None
    assert row.paper.number == "P2300"


def test_a_draft_belongs_to_its_paper(january) -> None:
    services.store_revisions(items=[revision("P2300R7"), revision("D2300R8")], source=services.PAGE)

    draft = PaperRevision.objects.get(document_id="D2300R8")
    assert draft.is_draft
    assert draft.paper.number == "P2300"
    assert Paper.objects.get().title == "std::execution"


def test_the_paper_title_is_its_newest_revisions(january) -> None:
    services.store_revisions(
        items=[revision("P1000R4", title="old title"), revision("P1000R5", title="new title")],
        source=services.PAGE,
    )
    services.store_revisions(items=[revision("P1000R4", title="old title")], source=services.PAGE)

    assert Paper.objects.get().title == "new title"


def test_an_email_given_once_is_kept(january) -> None:
    with_email = (AuthorName("Barry Revzin", "barry@example.org"),)
    services.store_revisions(items=[revision("P2593R1", authors=with_email)], source=services.PAGE)
    services.store_revisions(
        items=[revision("P2593R0", authors=(AuthorName("barry  revzin"),))], source=services.PAGE
    )

    author = Author.objects.get()
    assert (author.name_key, author.email) == ("barry revzin", "barry@example.org")


def test_store_revisions_refuses_bad_input(january) -> None:
    with pytest.raises(ValueError, match="source must be 'page' or 'index'"):
        services.store_revisions(items=[revision("P1R0")], source="web")
    with pytest.raises(ValueError, match="mailing 2023-05 is not stored"):
        services.store_revisions(items=[revision("P1R0", mailing_id="2023-05")], source="page")
    with pytest.raises(ValueError, match="names the same document twice"):
        services.store_revisions(items=[revision("P1R0"), revision("P1R0")], source="page")
    assert not PaperRevision.objects.exists()


def test_upsert_mailings_keeps_a_title_the_index_stops_giving() -> None:
    services.upsert_mailings(items=[JANUARY])

    counts = services.upsert_mailings(items=[replace(JANUARY, title="")])

    assert counts.updated == 0
    assert Mailing.objects.get().title == "2023-01 pre-Issaquah mailing"


def test_plan_revisions_counts_without_writing(january) -> None:
    services.store_revisions(items=[revision("P2300R6")], source=services.PAGE)

    planned = services.plan_revisions(
        items=[revision("P2300R6"), revision("P2300R7")], source=services.PAGE
    )

    assert (planned.created, planned.updated, planned.unchanged) == (1, 0, 1)
    changed = services.plan_revisions(
        items=[revision("P2300R6", disposition="Adopted")], source=services.PAGE
    )
    assert changed.updated == 1
    assert PaperRevision.objects.count() == 1


def test_record_document_creates_then_updates_and_refuses_bad_input(january) -> None:
    services.store_revisions(items=[revision("P2300R7")], source=services.PAGE)

    services.record_document(
        document_id="P2300R7", url="u", file_format="html", status="failed", note="HTTP 503"
    )
    services.record_document(
        document_id="P2300R7", url="u", file_format="html", status="extracted", text="a\x00b"
    )

    document = PaperDocument.objects.get()
    assert (document.status, document.text) == ("extracted", "ab")
    with pytest.raises(ValueError, match="status must be one of"):
        services.record_document(document_id="P2300R7", url="u", file_format="x", status="done")
    with pytest.raises(ValueError, match="revision P9R9 is not stored"):
        services.record_document(document_id="P9R9", url="u", file_format="x", status="failed")
