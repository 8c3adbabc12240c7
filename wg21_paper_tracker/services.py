"""Every write of the WG21 paper tracker: mailings, papers, revisions, authors, documents.

Two sources describe one revision: a mailing's row on its year page and wg21.link's
index. The page is the committee's own record, so its values win; the index fills
what the page leaves empty and alone gives `index_type` and `status`. Each write
first reads the stored rows of its batch (one query), merges, and upserts the result
through `core.bulk.upsert`, so a page re-read after the index filled a field does not
blank it, and a batch that changes nothing writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from core.bulk import ParentKey, UpsertCounts, upsert
from core.text import strip_nul
from wg21_paper_tracker.items import MailingItem, RevisionItem
from wg21_paper_tracker.models import (
    Author,
    Mailing,
    Paper,
    PaperDocument,
    PaperRevision,
    RevisionAuthor,
    TextStatus,
)
from wg21_paper_tracker.parsers import author_key, preferred_url

PAGE, INDEX = "page", "index"

# Fields both sources give; the page's value wins where it has one.
_SHARED = ("title", "document_date", "subgroup", "audience", "disposition", "previous_id", "url")
# Fields only the index gives.
_INDEX_ONLY = ("index_type", "status")
_REVISION_FIELDS = (
    "paper",
    "revision",
    "is_draft",
    "mailing",
    "formats",
    *_SHARED,
    *_INDEX_ONLY,
)


@dataclass(frozen=True)
class RevisionCounts:
    """What a batch of revisions did: the revisions, papers and authors created or changed."""

    revisions: UpsertCounts = field(default_factory=UpsertCounts)
    papers: UpsertCounts = field(default_factory=UpsertCounts)
    authors: UpsertCounts = field(default_factory=UpsertCounts)
    links: UpsertCounts = field(default_factory=UpsertCounts)

    def __add__(self, other: RevisionCounts) -> RevisionCounts:
        return RevisionCounts(
            revisions=self.revisions + other.revisions,
            papers=self.papers + other.papers,
            authors=self.authors + other.authors,
            links=self.links + other.links,
        )


def upsert_mailings(*, items: Sequence[MailingItem]) -> UpsertCounts:
    """Insert new mailings and refresh titles, keyed on `YYYY-MM`.

    A title the index no longer gives (empty) leaves the stored one alone.
    """
    stored = dict(
        Mailing.objects.filter(mailing_id__any_of=[m.mailing_id for m in items]).values_list(
            "mailing_id", "title"
        )
    )
    rows = [
        {
            "mailing_id": item.mailing_id,
            "title": item.title or stored.get(item.mailing_id, ""),
            "year": item.year,
            "date": item.date,
        }
        for item in items
    ]
    return upsert(
        model=Mailing,
        rows=rows,
        unique_fields=["mailing_id"],
        update_fields=["title", "year", "date"],
    )


def _stored_revisions(document_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows = PaperRevision.objects.filter(document_id__any_of=list(document_ids)).values(
        "document_id", "mailing__mailing_id", "formats", *_SHARED, *_INDEX_ONLY
    )
    return {row["document_id"]: row for row in rows}


def _stored_authors(document_ids: Sequence[str]) -> dict[str, list[str]]:
    authors: dict[str, list[str]] = {}
    links = (
        RevisionAuthor.objects.filter(revision__document_id__any_of=list(document_ids))
        .order_by("revision_id", "position")
        .values_list("revision__document_id", "author__name_key")
    )
    for document_id, key in links:
        authors.setdefault(document_id, []).append(key)
    return authors


def _merged_row(item: RevisionItem, stored: Mapping[str, Any] | None, *, source: str) -> dict:
    """The revision row to write: `source`'s values merged with what is stored."""
    mine: dict[str, Any] = {name: getattr(item, name) for name in (*_SHARED, *_INDEX_ONLY)}
    old = dict(stored or {})
    row: dict[str, Any] = {}
    for name in _SHARED:
        new_value, old_value = mine[name], old.get(name)
        if source == PAGE:
            row[name] = new_value if new_value not in ("", None) else (old_value or new_value)
        else:
            row[name] = old_value if old_value not in ("", None) else new_value
    for name in _INDEX_ONLY:
        row[name] = mine[name] if source == INDEX else old.get(name, "")
    formats = dict(old.get("formats") or {})
    formats = {**formats, **item.formats} if source == PAGE else {**item.formats, **formats}
    row["formats"] = formats
    if source == INDEX and old.get("url"):
        row["url"] = old["url"]
    else:
        row["url"] = preferred_url(formats) or row["url"]
    mailing = item.mailing_id if source == PAGE else ""
    row["mailing"] = mailing or old.get("mailing__mailing_id")
    row.update(
        document_id=item.document_id,
        paper=item.paper.paper_number,
        revision=item.paper.revision,
        is_draft=item.paper.is_draft,
    )
    return row


def _authors_to_write(
    items: Sequence[RevisionItem], stored: Mapping[str, list[str]], *, source: str
) -> dict[str, RevisionItem]:
    """The revisions whose author list this batch sets: the page's always, the index's
    only where nothing is stored yet."""
    chosen: dict[str, RevisionItem] = {}
    for item in items:
        if not item.authors:
            continue
        if source == INDEX and stored.get(item.document_id):
            continue
        chosen[item.document_id] = item
    return chosen


def store_revisions(*, items: Sequence[RevisionItem], source: str) -> RevisionCounts:
    """Store revisions from a year page (`source=PAGE`) or the index (`INDEX`).

    Papers, authors, revisions and each revision's ordered author list are written in
    one transaction. A paper's title is its newest revision's. Every mailing a page
    item names must be stored first (`upsert_mailings`); ValueError otherwise.
    """
    if source not in (PAGE, INDEX):
        raise ValueError(f"source must be {PAGE!r} or {INDEX!r}, not {source!r}")
    if not items:
        return RevisionCounts()
    document_ids = [item.document_id for item in items]
    if len(set(document_ids)) != len(document_ids):
        raise ValueError("a batch of revisions names the same document twice; merge it first")
    named = {item.mailing_id for item in items if item.mailing_id}
    known = set(
        Mailing.objects.filter(mailing_id__any_of=list(named)).values_list("mailing_id", flat=True)
    )
    if named - known:
        raise ValueError(
            f"mailing {sorted(named - known)[0]} is not stored; store the mailings first"
        )
    with transaction.atomic():
        stored = _stored_revisions(document_ids)
        stored_authors = _stored_authors(document_ids)
        rows = [_merged_row(item, stored.get(item.document_id), source=source) for item in items]
        papers = upsert(
            model=Paper,
            rows=_paper_rows(items, rows),
            unique_fields=["number"],
            update_fields=["kind", "title"],
        )
        with_authors = _authors_to_write(items, stored_authors, source=source)
        authors = upsert_authors(items=list(with_authors.values()))
        revisions = upsert(
            model=PaperRevision,
            rows=rows,
            unique_fields=["document_id"],
            update_fields=list(_REVISION_FIELDS),
            parents={
                "paper": ParentKey(model=Paper, key="number"),
                "mailing": ParentKey(model=Mailing, key="mailing_id"),
            },
        )
        links = _replace_revision_authors(with_authors, stored_authors)
    return RevisionCounts(revisions=revisions, papers=papers, authors=authors, links=links)


def _paper_rows(items: Sequence[RevisionItem], rows: Sequence[Mapping[str, Any]]) -> list[dict]:
    """One row per paper, titled by its newest revision here or already stored."""
    numbers = sorted({item.paper.paper_number for item in items})
    newest: dict[str, tuple[tuple, str]] = {}
    stored = PaperRevision.objects.filter(paper__number__any_of=numbers).values_list(
        "paper__number", "revision", "document_date", "title"
    )
    candidates = [(n, r, d, t) for n, r, d, t in stored]
    candidates += [
        (item.paper.paper_number, item.paper.revision, row["document_date"], row["title"])
        for item, row in zip(items, rows, strict=True)
    ]
    for number, revision, document_date, title in candidates:
        if not title:
            continue
        rank = (revision if revision is not None else -1, document_date or date.min)
        if number not in newest or rank >= newest[number][0]:
            newest[number] = (rank, title)
    kinds = {item.paper.paper_number: item.paper.kind for item in items}
    return [
        {"number": number, "kind": kinds[number], "title": newest.get(number, ((), ""))[1]}
        for number in numbers
    ]


def upsert_authors(*, items: Sequence[RevisionItem]) -> UpsertCounts:
    """Insert the authors these revisions name, keyed on the case-folded name.

    An email a paper gives is kept; one it does not give leaves a stored email alone.
    """
    found: dict[str, dict[str, str]] = {}
    for item in items:
        for author in item.authors:
            key = author_key(author.name)
            if not key:
                continue
            row = found.setdefault(key, {"name_key": key, "name": author.name, "email": ""})
            row["email"] = author.email or row["email"]
    if not found:
        return UpsertCounts()
    emails = dict(
        Author.objects.filter(name_key__any_of=list(found)).values_list("name_key", "email")
    )
    for key, row in found.items():
        row["email"] = row["email"] or emails.get(key, "")
    return upsert(
        model=Author,
        rows=list(found.values()),
        unique_fields=["name_key"],
        update_fields=["name", "email"],
    )


def _replace_revision_authors(
    items: Mapping[str, RevisionItem], stored: Mapping[str, list[str]]
) -> UpsertCounts:
    """Set each revision's authors in order; positions past the new list are removed."""
    rows = []
    shorter: dict[str, int] = {}
    for document_id, item in items.items():
        keys = list(dict.fromkeys(author_key(a.name) for a in item.authors if author_key(a.name)))
        rows += [
            {"revision": document_id, "author": key, "position": position}
            for position, key in enumerate(keys)
        ]
        if len(stored.get(document_id, [])) > len(keys):
            shorter[document_id] = len(keys)
    for document_id, length in shorter.items():
        RevisionAuthor.objects.filter(
            revision__document_id=document_id, position__gte=length
        ).delete()
    return upsert(
        model=RevisionAuthor,
        rows=rows,
        unique_fields=["revision", "position"],
        update_fields=["author"],
        parents={
            "revision": ParentKey(model=PaperRevision, key="document_id"),
            "author": ParentKey(model=Author, key="name_key"),
        },
    )


def plan_revisions(*, items: Sequence[RevisionItem], source: str) -> UpsertCounts:
    """What `store_revisions` would do to the revisions, without writing (for --dry-run)."""
    stored = _stored_revisions([item.document_id for item in items])
    created = updated = unchanged = 0
    for item in items:
        old = stored.get(item.document_id)
        if old is None:
            created += 1
            continue
        row = _merged_row(item, old, source=source)
        current = {**old, "mailing": old.get("mailing__mailing_id")}
        if any(
            row[name] != current.get(name)
            for name in ("mailing", "formats", *_SHARED, *_INDEX_ONLY)
        ):
            updated += 1
        else:
            unchanged += 1
    return UpsertCounts(created=created, updated=updated, unchanged=unchanged)


def record_document(
    *,
    document_id: str,
    url: str,
    file_format: str,
    status: str,
    path: str = "",
    size: int = 0,
    sha256: str = "",
    note: str = "",
    text: str = "",
) -> PaperDocument:
    """Record a revision's downloaded file and its text (or why there is none)."""
    if status not in TextStatus.values:
        raise ValueError(f"status must be one of {', '.join(TextStatus.values)}, not {status!r}")
    revision = PaperRevision.objects.filter(document_id=document_id).first()
    if revision is None:
        raise ValueError(f"revision {document_id} is not stored")
    document, _ = PaperDocument.objects.update_or_create(
        revision=revision,
        defaults={
            "url": url[:500],
            "file_format": file_format[:10],
            "status": status,
            "path": path[:500],
            "size": size,
            "sha256": sha256,
            "note": strip_nul(note)[:500],
            "text": strip_nul(text),
        },
    )
    return document
