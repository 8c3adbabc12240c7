"""Parse open-std.org's WG21 pages and wg21.link's index into plain items.

Year pages come in two layouts: the modern table of 8 columns (WG21 Number, Title,
Author, Document Date, Mailing Date, Previous Version, Subgroup, Disposition) and the
older one of 5 (number, title, author, date, subgroup). Columns are found by their
header text when there is a header row, else by their count. A mailing starts at an
element whose `id` (newer pages) or `name` (older ones) is `mailingYYYY-MM`; its
table is the first one after it. Rows are kept raw (`row_payload`) until parsed, so a
row that fails is quarantined as the page showed it. A link that leaves the page's
origin is refused: the collector only ever fetches from open-std.org.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import httpx
from selectolax.lexbor import LexborHTMLParser, LexborNode

from core.bad_items import BadItem, ParsedPage, parse_each
from core.http import MalformedResponse, Payload
from wg21_paper_tracker.items import (
    PAPER_TYPES,
    AuthorName,
    IndexSummary,
    MailingItem,
    MailingSection,
    PaperId,
    RevisionItem,
)

logger = logging.getLogger(__name__)

# Formats a paper may come in, best first: the source text, then what reads well.
FORMAT_PREFERENCE = ("adoc", "html", "ps", "pdf")
_EXTENSIONS = {"adoc": "adoc", "html": "html", "htm": "html", "ps": "ps", "pdf": "pdf"}

_PAPER = re.compile(r"^(?P<letter>[PD])(?P<number>\d{1,5})(?:R(?P<revision>\d{1,3}))?$")
_N_PAPER = re.compile(r"^N(?P<number>\d{1,5})$")
_STANDING = re.compile(r"^SD-?(?P<number>\d{1,3})$")
_MAILING = re.compile(r"^mailing(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])$")
_MAILING_LINK = re.compile(r"(?:^|/)(?P<year>\d{4})/?#mailing(?P=year)-(?P<month>0[1-9]|1[0-2])$")
_AUTHOR_SEPARATORS = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
_SPACE = re.compile(r"\s+")

MODERN_COLUMNS = (
    "number",
    "title",
    "authors",
    "document_date",
    "mailing_date",
    "previous",
    "subgroup",
    "disposition",
)
OLD_COLUMNS = ("number", "title", "authors", "document_date", "subgroup")
_HEADERS = {
    "wg21 number": "number",
    "number": "number",
    "document number": "number",
    "title": "title",
    "author": "authors",
    "authors": "authors",
    "author(s)": "authors",
    "document date": "document_date",
    "date": "document_date",
    "mailing date": "mailing_date",
    "previous version": "previous",
    "subgroup": "subgroup",
    "audience": "audience",
    "disposition": "disposition",
}


def clean(text: str | None) -> str:
    """Text with runs of whitespace (non-breaking spaces too) made one space."""
    return _SPACE.sub(" ", (text or "").replace("\xa0", " ")).strip()


def parse_paper_id(text: str) -> PaperId | None:
    """Split `P2300R7`, `D2300R7`, `N4950` or `SD-1` into paper and revision; else None."""
    value = clean(text).upper()
    if match := _PAPER.match(value):
        number = f"P{match['number']}"
        revision = int(match["revision"]) if match["revision"] is not None else None
        return PaperId(value, number, "proposal", revision, is_draft=match["letter"] == "D")
    if _N_PAPER.match(value):
        return PaperId(value, value, "n_paper", None, is_draft=False)
    if match := _STANDING.match(value):
        document_id = f"SD-{int(match['number'])}"
        return PaperId(document_id, document_id, "standing", None, is_draft=False)
    return None


def split_authors(text: str) -> list[str]:
    """Names separated by `,` and ` and ` (an Oxford comma too), in their order."""
    return [name for name in _AUTHOR_SEPARATORS.split(clean(text)) if name]


def author_key(name: str) -> str:
    """The natural key of an author profile: the name, case-folded, spaces collapsed."""
    return clean(name).casefold()


def file_format(url: str) -> str:
    """The format of a document from its file name: `p2300r7.html` is html."""
    name = httpx.URL(url).path.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return _EXTENSIONS.get(extension, extension)


def preferred_url(formats: Mapping[str, str]) -> str:
    """The URL of the best format (adoc > html > ps > pdf > any other), or ""."""
    ranked = sorted(
        formats,
        key=lambda f: (FORMAT_PREFERENCE.index(f) if f in FORMAT_PREFERENCE else 99, f),
    )
    return formats[ranked[0]] if ranked else ""


def same_origin(url: str, base: str) -> bool:
    a, b = httpx.URL(url), httpx.URL(base)
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def _date(text: str) -> date | None:
    value = clean(text)
    if not value:
        return None
    for layout in ("%Y-%m-%d", "%Y%m%d", "%d %B %Y", "%Y-%m"):
        try:
            return datetime.strptime(value, layout).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")


def _mailing_id(year: str, month: str) -> str:
    return f"{year}-{month}"


# --- the papers index ---------------------------------------------------------------


def parse_mailing_index(html: str, *, url: str) -> list[MailingItem]:
    """The mailings the index links (`2024/#mailing2024-01`), oldest first."""
    tree = LexborHTMLParser(html)
    found: dict[str, MailingItem] = {}
    for link in tree.css("a[href]"):
        href = (link.attributes.get("href") or "").strip()
        match = _MAILING_LINK.search(href)
        if not match:
            continue
        mailing_id = _mailing_id(match["year"], match["month"])
        title = clean(link.text())
        if mailing_id not in found or (title and not found[mailing_id].title):
            year, month = int(match["year"]), int(match["month"])
            found[mailing_id] = MailingItem(mailing_id, title, year, date(year, month, 1))
    if not found:
        raise MalformedResponse(f"{url}: no mailing links (YYYY/#mailingYYYY-MM) found", url=url)
    return [found[key] for key in sorted(found)]


# --- year pages -----------------------------------------------------------------------


def _anchor_mailing(node: LexborNode) -> str | None:
    for attribute in ("id", "name"):
        match = _MAILING.match((node.attributes.get(attribute) or "").strip())
        if match:
            return _mailing_id(match["year"], match["month"])
    return None


def _mailing_title(node: LexborNode) -> str:
    """The anchor's own text, else its heading's (`<h2><a id=...></a>2024-01 ...</h2>`)."""
    own = clean(node.text())
    if own:
        return own
    parent = node.parent
    return clean(parent.text()) if parent is not None and parent.tag != "body" else ""


def _columns(table: LexborNode) -> tuple[list[str] | None, list[LexborNode]]:
    """The table's column names (from its header row, if any) and its data rows."""
    rows = table.css("tr")
    names: list[str] | None = None
    data: list[LexborNode] = []
    for row in rows:
        headers = row.css("th")
        if headers and names is None and not row.css("td"):
            names = [
                _HEADERS.get(clean(h.text()).lower(), f"column{i}") for i, h in enumerate(headers)
            ]
            continue
        if row.css("td"):
            data.append(row)
    return names, data


def _cell(node: LexborNode) -> dict[str, Any]:
    links = [
        {"href": (a.attributes.get("href") or "").strip(), "text": clean(a.text())}
        for a in node.css("a[href]")
    ]
    return {"text": clean(node.text()), "links": links}


def row_payload(*, mailing_id: str, page_url: str, columns: list[str], cells: list[dict]) -> dict:
    """What is kept of one table row: enough to parse (or quarantine) it later."""
    number = cells[0]["text"] if cells else ""
    return {
        "key": f"{mailing_id}:{number or '?'}",
        "mailing": mailing_id,
        "page": page_url,
        "columns": columns,
        "cells": cells,
    }


def parse_year_page(html: str, *, url: str) -> dict[str, MailingSection]:
    """Each mailing of a year page with its raw rows; a mailing without a table has none."""
    tree = LexborHTMLParser(html)
    sections: dict[str, MailingSection] = {}
    current: str | None = None
    with_table: set[str] = set()
    root = tree.root
    if root is None:
        raise MalformedResponse(f"{url}: the page has no HTML document", url=url)
    for node in root.traverse():
        mailing_id = _anchor_mailing(node)
        if mailing_id is not None:
            current = mailing_id
            if mailing_id not in sections:
                sections[mailing_id] = MailingSection(mailing_id, _mailing_title(node), [])
            continue
        if node.tag != "table" or current is None or current in with_table:
            continue
        with_table.add(current)
        names, rows = _columns(node)
        for row in rows:
            cells = [_cell(td) for td in row.css("td")]
            columns = names or list(MODERN_COLUMNS if len(cells) >= 8 else OLD_COLUMNS)
            sections[current].rows.append(
                row_payload(mailing_id=current, page_url=url, columns=columns, cells=cells)
            )
    return sections


def _formats(cell: Mapping[str, Any], *, page: str, key: str) -> dict[str, str]:
    formats: dict[str, str] = {}
    refused = []
    for link in cell.get("links") or []:
        href = str(link.get("href") or "")
        if not href or href.startswith("#"):
            continue
        absolute = str(httpx.URL(page).join(href))
        if not same_origin(absolute, page):
            refused.append(absolute)
            continue
        formats.setdefault(file_format(absolute) or "file", absolute)
    if refused and not formats:
        raise MalformedResponse(
            f"{page}: row {key}: every link leaves {httpx.URL(page).host} ({refused[0]}); refused",
            url=page,
            field="number",
            item_id=key,
        )
    for absolute in refused:
        logger.warning(
            "%s: row %s links off the origin (%s); that link is refused", page, key, absolute
        )
    return formats


def parse_row(payload: Any, *, url: str) -> RevisionItem:
    """One table row (a `row_payload`) as a revision; a wrong shape raises MalformedResponse."""
    row = Payload.of(payload, url=url, kind="row")
    key = row.require_str("key")
    mailing_id = row.require_str("mailing")
    page = row.optional_str("page") or url
    raw_columns = payload.get("columns")
    raw_cells = payload.get("cells")
    if not isinstance(raw_columns, list) or not isinstance(raw_cells, list):
        raise MalformedResponse(f"{url}: row {key}: no columns or cells", url=url, item_id=key)
    cells: dict[str, Mapping[str, Any]] = {}
    for name, cell in zip(raw_columns, raw_cells, strict=False):
        if not isinstance(cell, dict):
            raise MalformedResponse(
                f"{url}: row {key}: a cell is not an object", url=url, item_id=key
            )
        cells.setdefault(str(name), cell)

    def text(name: str) -> str:
        return clean(str(cells.get(name, {}).get("text") or ""))

    def fail(name: str, problem: str) -> MalformedResponse:
        return MalformedResponse(
            f"{url}: row {key}: field {name!r} {problem}", url=url, field=name, item_id=key
        )

    number = cells.get("number", {})
    paper = parse_paper_id(text("number"))
    formats = _formats(number, page=page, key=key)
    if paper is None:
        # Some rows show a label; the linked file's name is the id then (`p2300r7.html`).
        stems = [httpx.URL(u).path.rsplit("/", 1)[-1].rsplit(".", 1)[0] for u in formats.values()]
        paper = next((p for p in map(parse_paper_id, stems) if p is not None), None)
    if paper is None:
        raise fail(
            "number", f"is {text('number')!r}, not a WG21 document id (P2300R7, N4950, SD-1)"
        )
    try:
        document_date = _date(text("document_date"))
    except ValueError as exc:
        raise fail("document_date", str(exc)) from None
    title = text("title")
    if not title:
        raise fail("title", "is empty")
    emails = {
        clean(link.get("text")).casefold(): str(link.get("href"))[len("mailto:") :].strip()
        for link in cells.get("authors", {}).get("links") or []
        if str(link.get("href") or "").lower().startswith("mailto:")
    }
    authors = tuple(
        AuthorName(name=name, email=emails.get(name.casefold(), ""))
        for name in split_authors(text("authors"))
    )
    previous = parse_paper_id(text("previous").split(",")[0]) if text("previous") else None
    return RevisionItem(
        paper=paper,
        title=title,
        authors=authors,
        document_date=document_date,
        mailing_id=mailing_id,
        subgroup=text("subgroup"),
        audience=text("audience"),
        disposition=text("disposition"),
        previous_id=previous.document_id if previous else "",
        formats=formats,
        url=preferred_url(formats),
    )


def merge_formats(items: Iterable[RevisionItem]) -> list[RevisionItem]:
    """One item per document: a paper listed twice (once per format) keeps every format."""
    merged: dict[str, RevisionItem] = {}
    for item in items:
        seen = merged.get(item.document_id)
        if seen is None:
            merged[item.document_id] = item
            continue
        formats = {**item.formats, **seen.formats}
        merged[item.document_id] = RevisionItem(
            **{
                **{name: getattr(seen, name) for name in RevisionItem.__slots__},  # type: ignore[attr-defined]
                "formats": formats,
                "url": preferred_url(formats),
            }
        )
    return list(merged.values())


def parse_section(section: MailingSection, *, url: str) -> ParsedPage[RevisionItem]:
    """A mailing's rows as items, the rows that fail as bad items for the quarantine."""
    page = parse_each(section.rows, parse_row, url=url)
    items = merge_formats(page.items)
    if len(items) == len(page.items):
        return page
    sources = {id(item): page.source_of(item) for item in page.items}
    by_id = {item.document_id: sources[id(item)] for item in page.items}
    return ParsedPage(
        items=items,
        bad=page.bad,
        _sources={id(item): by_id[item.document_id] for item in items},
    )


# --- wg21.link's index -----------------------------------------------------------------


def index_entry_payload(document_id: str, value: Any) -> dict:
    return {"key": document_id, "entry": value}


def parse_index_entry(payload: Any, *, url: str, origin: str = "") -> RevisionItem:
    """One index entry (wg21.link's shape or specref's) as a revision without a mailing."""
    wrapper = Payload.of(payload, url=url, kind="index entry")
    document_id = wrapper.require_str("key")
    entry = Payload.of(payload.get("entry"), url=url, kind="index entry", item_id=document_id)
    paper = parse_paper_id(document_id)
    if paper is None:
        raise entry.fail("key", "is not a paper id")
    authors_value = payload["entry"].get("authors", payload["entry"].get("author"))
    if isinstance(authors_value, list):
        names = [
            n for value in authors_value if isinstance(value, str) for n in split_authors(value)
        ]
    elif isinstance(authors_value, str):
        names = split_authors(authors_value)
    elif authors_value is None:
        names = []
    else:
        raise entry.fail("author", "is neither text nor a list of names")
    raw_date = entry.optional_str("date") or entry.optional_str("rawDate")
    try:
        document_date = _date(raw_date)
    except ValueError as exc:
        raise entry.fail("date", str(exc)) from None
    link = (
        entry.optional_str("long_link") or entry.optional_str("href") or entry.optional_str("link")
    )
    formats = {}
    if link and origin and same_origin(link, origin):
        formats[file_format(link) or "file"] = link
    return RevisionItem(
        paper=paper,
        title=clean(entry.optional_str("title")),
        authors=tuple(AuthorName(name=name) for name in names),
        document_date=document_date,
        subgroup=clean(entry.optional_str("subgroup")),
        formats=formats,
        url=preferred_url(formats),
        index_type=entry.optional_str("type") or "paper",
        status=clean(entry.optional_str("status")),
    )


def resolve_aliases(body: Mapping[str, Any]) -> dict[str, str]:
    """Each alias id (`WG21-P0001R0`) and the id it stands for (`P0001R0`)."""
    return {
        key: value["aliasOf"]
        for key, value in body.items()
        if isinstance(value, dict) and isinstance(value.get("aliasOf"), str)
    }


def parse_index(
    body: Any, *, url: str, origin: str = "", papers: frozenset[str] = frozenset()
) -> tuple[ParsedPage[RevisionItem], IndexSummary]:
    """The paper entries of an index as items; aliases and non-papers are counted.

    `papers` (paper numbers, `P2300`) keeps only their revisions. An entry that is not
    an object, or a paper entry of the wrong shape, is a bad item.
    """
    if not isinstance(body, dict):
        raise MalformedResponse(f"{url}: the index is not an object keyed by document id", url=url)
    aliases = resolve_aliases(body)
    payloads = []
    not_papers = 0
    bad: list[BadItem] = []
    for key, value in body.items():
        if key in aliases:
            continue
        if not isinstance(value, dict):
            error = MalformedResponse(
                f"{url}: entry {key!r} is not an object", url=url, item_id=key
            )
            bad.append(
                BadItem(key=str(key), url=url, payload={"key": key, "entry": value}, error=error)
            )
            continue
        paper = parse_paper_id(str(key))
        entry_type = str(value.get("type") or "")
        if paper is None or entry_type not in PAPER_TYPES:
            not_papers += 1
            continue
        if papers and paper.paper_number not in papers:
            continue
        payloads.append(index_entry_payload(str(key), value))
    page = parse_each(
        payloads, lambda p, url: parse_index_entry(p, url=url, origin=origin), url=url
    )
    summary = IndexSummary(
        entries=len(body),
        aliases=len(aliases),
        unresolved_aliases=sum(1 for target in aliases.values() if target not in body),
        not_papers=not_papers,
    )
    return ParsedPage(items=page.items, bad=bad + page.bad, _sources=page._sources), summary
