"""The WG21 document source of the search index: one document per paper revision.

A document is what a reader looks for: the id and title, the authors, date, mailing
and subgroup, then the paper's own text when `--download` extracted it. Its change
time is the newest `row_changed_at` of the revision, its author list and its
downloaded document, so a paper whose text arrives later is indexed again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time
from itertools import islice

from django.db.models import Max, Prefetch
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse

from cppa_pinecone_sync.documents import Change, Document, DocumentSource
from wg21_paper_tracker.models import PaperDocument, PaperRevision, RevisionAuthor

SOURCE = "wg21"
_DOC_PREFIX = "wg21-"
_BUILD_BATCH = 500
_PK_MARK = 987654321987


def doc_id_of(revision: PaperRevision) -> str:
    return f"{_DOC_PREFIX}{revision.document_id}"


def _with_change_time():
    return PaperRevision.objects.annotate(
        changed=Greatest(
            "row_changed_at",
            Coalesce(Max("revision_authors__row_changed_at"), "row_changed_at"),
            Coalesce("document__row_changed_at", "row_changed_at"),
        )
    )


def changed_revision_ids(since: datetime | None) -> list[int]:
    """Ids of revisions whose rows (authors, document) changed at/after `since`, oldest first."""
    rows = _with_change_time()
    if since is not None:
        rows = rows.filter(changed__gte=since)
    return list(rows.order_by("changed", "id").values_list("id", flat=True))


def newest_change() -> datetime | None:
    stamps = [
        model.objects.aggregate(newest=Max("row_changed_at"))["newest"]
        for model in (PaperRevision, RevisionAuthor, PaperDocument)
    ]
    present = [stamp for stamp in stamps if stamp is not None]
    return max(present) if present else None


def changed_since(since: datetime | None) -> Iterator[Change]:
    iterator = iter(changed_revision_ids(since))
    while chunk := list(islice(iterator, _BUILD_BATCH)):
        yield from _changes(_with_change_time().filter(id__in=chunk), order=chunk)


def load(doc_ids: Sequence[str]) -> Iterator[Change]:
    ids = [d[len(_DOC_PREFIX) :] for d in doc_ids if d.startswith(_DOC_PREFIX)]
    for start in range(0, len(ids), _BUILD_BATCH):
        yield from _changes(
            _with_change_time().filter(document_id__in=ids[start : start + _BUILD_BATCH])
        )


def _changes(revisions, *, order: Sequence[int] | None = None) -> Iterator[Change]:
    rows = list(
        revisions.select_related("mailing", "paper", "document").prefetch_related(
            Prefetch(
                "revision_authors",
                RevisionAuthor.objects.select_related("author").order_by("position"),
                to_attr="ordered_authors",
            )
        )
    )
    if order is not None:
        position = {revision_id: n for n, revision_id in enumerate(order)}
        rows.sort(key=lambda revision: position[revision.id])
    admin_path = reverse("admin:wg21_paper_tracker_paperrevision_change", args=[_PK_MARK])
    for revision in rows:
        yield _document(revision, admin_path=admin_path.replace(str(_PK_MARK), str(revision.pk)))


def _document(revision: PaperRevision, *, admin_path: str) -> Document:
    authors = [link.author.name for link in getattr(revision, "ordered_authors", [])]
    document = getattr(revision, "document", None)
    body = document.text if document is not None else ""
    facts = [
        f"{revision.document_id}: {revision.title}",
        f"Authors: {', '.join(authors)}" if authors else "",
        f"Date: {revision.document_date:%Y-%m-%d}" if revision.document_date else "",
        f"Mailing: {revision.mailing}" if revision.mailing else "",
        f"Subgroup: {revision.subgroup}" if revision.subgroup else "",
    ]
    text = "\n".join(line for line in facts if line)
    if body:
        text += "\n\n" + body
    return Document(
        doc_id=doc_id_of(revision),
        url=revision.url or f"https://wg21.link/{revision.document_id.lower()}",
        title=f"{revision.document_id}: {revision.title}",
        text=text,
        updated_at=(
            datetime.combine(revision.document_date, time(), tzinfo=UTC)
            if revision.document_date
            else None
        ),
        changed_at=revision.changed,  # type: ignore[attr-defined]
        admin_path=admin_path,
        metadata={
            "paper": revision.paper.number,
            "document_id": revision.document_id,
            "revision": revision.revision,
            "authors": authors,
            "date": revision.document_date.isoformat() if revision.document_date else None,
            "mailing": revision.mailing.mailing_id if revision.mailing else None,
            "subgroup": revision.subgroup,
            "text": document.status if document is not None else "not downloaded",
        },
    )


WG21_SOURCE = DocumentSource(
    name=SOURCE,
    namespace="wg21",
    changed_since=changed_since,
    load=load,
    newest_change=newest_change,
    description="WG21 paper revisions: title, authors, date, subgroup and the paper's text",
)
