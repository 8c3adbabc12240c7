"""Parsing the open-std.org samples (both layouts, every quirk) and the real specref index."""

from __future__ import annotations

import json
from datetime import date

import pytest

from core.http import MalformedResponse
from wg21_paper_tracker.parsers import (
    parse_index,
    parse_mailing_index,
    parse_paper_id,
    parse_row,
    parse_section,
    parse_year_page,
    preferred_url,
    resolve_aliases,
    row_payload,
    split_authors,
)
from wg21_paper_tracker.tests.conftest import FIXTURES, sample

BASE = "https://www.open-std.org/jtc1/sc22/wg21/docs/papers/"


def section_items(year: int, mailing_id: str):
    url = f"{BASE}{year}/"
    sections = parse_year_page(sample(f"papers__{year}.html").decode(), url=url)
    return parse_section(sections[mailing_id], url=url)


def by_id(page) -> dict:
    return {item.document_id: item for item in page.items}


def test_the_index_lists_each_mailing_with_its_title_oldest_first() -> None:
    mailings = parse_mailing_index(sample("papers__index.html").decode(), url=BASE)

    assert [(m.mailing_id, m.title) for m in mailings] == [
        ("2004-01", "2004-01 pre-Sydney mailing"),
        ("2023-01", "2023-01 pre-Issaquah mailing"),
        ("2023-02", "2023-02 post-Issaquah mailing"),
        ("2023-05", "2023-05 pre-Varna mailing"),
        ("2024-01", "2024-01 pre-Tokyo mailing"),
    ]
    assert mailings[-1].year == 2024
    assert mailings[-1].date == date(2024, 1, 1)


def test_an_index_without_mailing_links_is_malformed() -> None:
    with pytest.raises(MalformedResponse, match="no mailing links"):
        parse_mailing_index("<html><body><p>Service unavailable</p></body></html>", url=BASE)


def test_modern_layout_reads_all_eight_columns() -> None:
    items = by_id(section_items(2023, "2023-01"))

    p2300 = items["P2300R6"]
    assert (p2300.paper.paper_number, p2300.paper.revision, p2300.paper.kind) == (
        "P2300",
        6,
        "proposal",
    )
    assert p2300.title == "std::execution"
    assert p2300.document_date == date(2023, 1, 19)
    assert p2300.mailing_id == "2023-01"
    assert p2300.previous_id == "P2300R5"
    assert p2300.subgroup == "LEWG"
    assert p2300.url == f"{BASE}2023/p2300r6.html"
    assert len(p2300.authors) == 9
    assert p2300.authors[0].name == "Michał Dominiak"
    assert items["P2593R1"].disposition == "Adopted 2023-02"
    assert items["N4928"].paper.kind == "n_paper"
    assert items["N4928"].paper.revision is None


def test_old_layout_has_five_columns_with_the_subgroup_last_and_a_name_anchor() -> None:
    url = f"{BASE}2004/"
    sections = parse_year_page(sample("papers__2004.html").decode(), url=url)

    assert sections["2004-01"].title == "2004-01 pre-Sydney mailing"  # from the heading
    items = by_id(parse_section(sections["2004-01"], url=url))
    assert sorted(items) == ["N1543", "N1550", "N1555"]
    assert items["N1555"].subgroup == "WG21"
    assert items["N1555"].document_date == date(2004, 1, 12)
    assert items["N1555"].disposition == ""


def test_authors_are_split_on_commas_and_and_in_their_order() -> None:
    items = by_id(section_items(2023, "2023-01"))

    assert [a.name for a in items["P2759R0"].authors] == [
        "H. Hinnant",
        "R. Orr",
        "B. Stroustrup",
        "D. Vandevoorde",
        "M. Wong",
    ]
    assert [a.name for a in items["P2996R0"].authors] == [
        "Wyatt Childers",
        "Peter Dimov",
        "Dan Katz",
    ]
    assert split_authors("Bjarne Stroustrup and Gabriel Dos Reis") == [
        "Bjarne Stroustrup",
        "Gabriel Dos Reis",
    ]
    assert split_authors("") == []


def test_an_author_linked_with_mailto_keeps_the_email() -> None:
    [author] = by_id(section_items(2023, "2023-01"))["P2593R1"].authors

    assert (author.name, author.email) == ("Barry Revzin", "barry.revzin@example.org")


def test_a_paper_in_two_formats_keeps_both_and_prefers_the_better() -> None:
    items = by_id(section_items(2023, "2023-01"))

    # Two links in one cell.
    assert items["P1000R5"].formats == {
        "pdf": f"{BASE}2023/p1000r5.pdf",
        "html": f"{BASE}2023/p1000r5.html",
    }
    assert items["P1000R5"].url.endswith("p1000r5.html")
    # Two rows of one paper: one item, both formats, adoc preferred.
    assert sorted(items["P2996R0"].formats) == ["adoc", "pdf"]
    assert items["P2996R0"].url.endswith("p2996r0.adoc")
    # The 2004 page: PostScript beats PDF.
    old = by_id(section_items(2004, "2004-01"))
    assert old["N1550"].url.endswith("n1550.ps")


def test_format_preference_is_adoc_then_html_then_ps_then_pdf() -> None:
    formats = {"pdf": "a.pdf", "ps": "a.ps", "html": "a.html", "adoc": "a.adoc"}
    assert preferred_url(formats) == "a.adoc"
    del formats["adoc"]
    assert preferred_url(formats) == "a.html"
    del formats["html"]
    assert preferred_url(formats) == "a.ps"
    assert preferred_url({"pdf": "a.pdf", "zip": "a.zip"}) == "a.pdf"
    assert preferred_url({}) == ""


def test_a_row_linking_only_off_the_origin_is_refused_as_a_bad_item() -> None:
    page = section_items(2023, "2023-01")

    bad = {item.key: str(item.error) for item in page.bad}
    assert "2023-01:P2999R0" in bad
    assert (
        "every link leaves www.open-std.org (https://example.com/papers/p2999r0.pdf)"
        in (bad["2023-01:P2999R0"])
    )
    assert "P2999R0" not in by_id(page)


def test_a_row_with_a_broken_date_is_a_bad_item_naming_the_field() -> None:
    bad = {item.key: str(item.error) for item in section_items(2023, "2023-01").bad}

    assert bad["2023-01:P2998R0"] == (
        f"{BASE}2023/: row 2023-01:P2998R0: field 'document_date' '2023-13-45' is not a date "
        "(YYYY-MM-DD)"
    )


def test_an_off_origin_link_beside_a_good_one_is_dropped() -> None:
    cells = [
        {
            "text": "P1234R0",
            "links": [
                {"href": "https://evil.example/p1234r0.pdf", "text": "P1234R0"},
                {"href": "p1234r0.html", "text": "html"},
            ],
        },
        {"text": "A title", "links": []},
    ]
    payload = row_payload(
        mailing_id="2023-01", page_url=f"{BASE}2023/", columns=["number", "title"], cells=cells
    )

    item = parse_row(payload, url=f"{BASE}2023/")

    assert item.formats == {"html": f"{BASE}2023/p1234r0.html"}


def test_an_empty_mailing_has_a_section_without_rows() -> None:
    sections = parse_year_page(sample("papers__2023.html").decode(), url=f"{BASE}2023/")

    assert sections["2023-02"].rows == []
    assert sections["2023-02"].title == "2023-02 post-Issaquah mailing"


def test_a_standing_document_and_a_table_without_a_header_row() -> None:
    items = by_id(section_items(2023, "2023-05"))
    assert items["SD-1"].paper.kind == "standing"
    assert items["SD-1"].url.endswith("sd-1.htm")
    html = (
        '<a id="mailing2023-06"></a><table><tr><td><a href="p1r0.pdf">P0001R0</a></td>'
        "<td>Title</td><td>A and B</td><td>2023-06-01</td><td>2023-06</td><td></td>"
        "<td>EWG</td><td>accepted</td></tr></table>"
    )
    sections = parse_year_page(html, url=f"{BASE}2023/")
    [item] = parse_section(sections["2023-06"], url=f"{BASE}2023/").items
    assert (item.subgroup, item.disposition) == ("EWG", "accepted")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P2300R7", ("P2300R7", "P2300", 7, False)),
        ("p2300r10", ("P2300R10", "P2300", 10, False)),
        ("D2300R7", ("D2300R7", "P2300", 7, True)),
        ("P3141", ("P3141", "P3141", None, False)),
        ("N4950", ("N4950", "N4950", None, False)),
        ("SD-1", ("SD-1", "SD-1", None, False)),
        ("sd-6", ("SD-6", "SD-6", None, False)),
    ],
)
def test_paper_ids(text, expected) -> None:
    paper = parse_paper_id(text)
    assert paper is not None
    assert (paper.document_id, paper.paper_number, paper.revision, paper.is_draft) == expected


@pytest.mark.parametrize("text", ["CWG2000", "LWG3000", "TBD", "", "P", "N12345678"])
def test_not_paper_ids(text) -> None:
    assert parse_paper_id(text) is None


# --- the real index (specref's 2017 copy of wg21.link/index.json) ------------------------


@pytest.fixture(scope="module")
def specref() -> dict:
    return json.loads((FIXTURES / "specref" / "wg21_2017-03-22.json").read_text(encoding="utf-8"))


def test_specref_index_counts_papers_groups_revisions_and_resolves_aliases(specref) -> None:
    page, summary = parse_index(specref, url="https://wg21.link/index.json", origin=BASE)

    assert summary.entries == 18760
    assert (summary.aliases, summary.unresolved_aliases) == (9380, 0)
    assert summary.not_papers == 5313  # CWG, LWG, EWG, LEWG, FS issues
    assert len(page.items) == 4066
    revisions: dict[str, list[str]] = {}
    for item in page.items:
        revisions.setdefault(item.paper.paper_number, []).append(item.document_id)
    assert len(revisions) == 3667
    # P-revisions and the D-drafts of the same paper are one paper.
    assert sorted(revisions["P0057"]) == [
        "D0057",
        "D0057R7",
        "P0057R0",
        "P0057R1",
        "P0057R2",
        "P0057R3",
        "P0057R4",
        "P0057R5",
        "P0057R7",
    ]
    aliases = resolve_aliases(specref)
    assert aliases["WG21-P0001R0"] == "P0001R0"
    assert all(target in specref for target in aliases.values())


def test_specref_authors_joined_in_one_string_are_split(specref) -> None:
    page, _ = parse_index(
        specref, url="https://wg21.link/index.json", papers=frozenset({"P0052"}), origin=BASE
    )

    item = next(i for i in page.items if i.document_id == "P0052R3")
    assert [a.name for a in item.authors] == ["Peter Sommerlad", "Andrew L. Sandoval"]
    assert item.document_date == date(2017, 2, 6)
    assert item.url == ""  # wg21.link, not open-std.org: not a URL this app fetches


def test_specref_entry_with_an_impossible_date_is_the_one_bad_item(specref) -> None:
    page, _ = parse_index(specref, url="https://wg21.link/index.json", origin=BASE)

    [bad] = page.bad
    assert "'date' '20141620' is not a date" in str(bad.error)


def test_wg21_link_shape_types_and_links() -> None:
    body = json.loads((FIXTURES / "wg21-link" / "index.json").read_text(encoding="utf-8"))

    page, summary = parse_index(
        body, url="https://wg21.link/index.json", origin="https://www.open-std.org/"
    )

    items = by_id(page)
    assert summary.not_papers == 2  # the CWG issue and the editorial entry
    assert items["SD-1"].index_type == "standing-document"
    assert items["P2996R0"].status == "open"
    assert items["D2300R10"].paper.is_draft
    assert items["D2300R10"].paper.paper_number == "P2300"
    assert items["P2300R9"].url.endswith("/2024/p2300r9.html")
    assert [b.key for b in page.bad] == ["P0002R0"]


def test_an_index_that_is_not_an_object_is_malformed() -> None:
    with pytest.raises(MalformedResponse, match="not an object keyed by document id"):
        parse_index([1, 2], url="https://wg21.link/index.json")
