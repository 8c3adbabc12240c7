"""The mailing-list document source of the search index: one document per message.

Per message, not per thread: a review thread of the Boost list runs to hundreds of
messages, and a document per thread would be rebuilt and re-chunked whole for every new
reply; a message is also what people cite and link. The thread's subject and key are in
the metadata, so results can be grouped by thread. The text is the message's own words:
quoted lines, the signature and the list footer are left out (`bodies.own_text`), so a
phrase finds the message that wrote it, not every reply that quoted it. The change time
is the newest `row_changed_at` of the message, its sender and its thread.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice

from django.db.models import F
from django.db.models.functions import Greatest
from django.urls import reverse

from boost_mailing_list_tracker.bodies import own_text
from boost_mailing_list_tracker.models import Message
from cppa_pinecone_sync.documents import Change, Document, DocumentSource

SOURCE = "mailing_lists"
_DOC_PREFIX = "mail-"
_BUILD_BATCH = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PK_MARK = 987654321987


def doc_id_of(message: Message) -> str:
    """Stable per (list, Message-ID): the list name and the archive's hash."""
    return f"{_DOC_PREFIX}{message.mailing_list.name}-{message.message_hash}"


def _changed():
    return Message.objects.annotate(
        changed=Greatest(
            F("row_changed_at"), F("sender__row_changed_at"), F("thread__row_changed_at")
        )
    )


def changed_since(since: datetime | None) -> Iterator[Change]:
    ids = list(
        _changed()
        .filter(changed__gte=since or _EPOCH)
        .order_by("changed", "id")
        .values_list("id", flat=True)
    )
    iterator = iter(ids)
    while chunk := list(islice(iterator, _BUILD_BATCH)):
        rows = {m.pk: m for m in _rows(_changed().filter(id__in=chunk))}
        yield from (_document(rows[pk]) for pk in chunk if pk in rows)


def load(doc_ids: Sequence[str]) -> Iterator[Change]:
    hashes = [d.rsplit("-", 1)[-1] for d in doc_ids if d.startswith(_DOC_PREFIX)]
    wanted = set(doc_ids)
    for message in _rows(_changed().filter(message_hash__in=hashes)):
        if doc_id_of(message) in wanted:
            yield _document(message)


def newest_change() -> datetime | None:
    row = _changed().order_by("-changed").values_list("changed", flat=True).first()
    return row


def _rows(query) -> list[Message]:
    return list(query.select_related("mailing_list", "sender", "thread"))


def _document(message: Message) -> Document:
    admin_path = reverse(
        "admin:boost_mailing_list_tracker_message_change", args=[_PK_MARK]
    ).replace(str(_PK_MARK), str(message.pk))
    sender = message.sender_name or message.sender.display_name or message.sender.address
    return Document(
        doc_id=doc_id_of(message),
        url=message.archive_url,
        title=f"[{message.mailing_list.name}] {message.subject or '(no subject)'}",
        text=own_text(message.body, message.quote_marks),
        updated_at=message.sent_at,
        changed_at=getattr(message, "changed", message.row_changed_at),
        admin_path=admin_path,
        metadata={
            "list": message.mailing_list.name,
            "sender": sender,
            "sender_address": message.sender.address,
            "date": message.sent_at.isoformat() if message.sent_at else None,
            "thread": message.thread.root_hash,
            "thread_subject": message.thread.subject,
            "message_id": message.message_id[:500],
        },
    )


MAILING_LIST_SOURCE = DocumentSource(
    name=SOURCE,
    namespace="mailing_lists",
    changed_since=changed_since,
    load=load,
    newest_change=newest_change,
    description="Messages of the Boost mailing lists (own text, quotes left out)",
)
