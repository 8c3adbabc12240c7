"""Every write of boost_mailing_list_tracker: lists, senders, threads and messages.

`ingest_messages` stores one page (or mbox batch) of messages in one transaction:
senders, then threads, then messages, each with one bulk upsert on its natural key
(`core.bulk.upsert`), so a re-read page writes nothing and an edited message updates
its row. Threads are keyed on their root message's hash, which makes threading
independent of the order messages arrive in; a message whose parent arrives later is
moved into its parent's thread by `_follow_parents` when the parent is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction

from boost_mailing_list_tracker.items import HYPERKITTY, ListItem, MessageItem, message_id_hash
from boost_mailing_list_tracker.models import MailingList, Message, Sender, Thread
from boost_mailing_list_tracker.parsers import is_reply_subject
from core.bulk import ParentKey, UpsertCounts, upsert

# How far back a "Re: subject" message without references looks for its thread.
SUBJECT_THREAD_WINDOW = timedelta(days=30)
# Bound on the parent walk: a reply chain deeper than this is cut into a new thread.
MAX_DEPTH = 1000

_COMMON_FIELDS = [
    "message_id",
    "thread",
    "parent_hash",
    "subject",
    "normalized_subject",
    "sent_at",
    "date_from_archive",
    "raw_date",
    "sender",
    "sender_name",
    "body",
    "body_from_html",
    "quote_marks",
    "attachments",
    "source",
    "problems",
]
# What each source knows: HyperKitty has the archive URL but no header ids; an mbox
# has In-Reply-To and References but no URL. Neither erases what only the other knows.
_SOURCE_FIELDS = {
    HYPERKITTY: [*_COMMON_FIELDS, "archive_url"],
    "mbox": [*_COMMON_FIELDS, "in_reply_to", "references"],
}


@dataclass(frozen=True)
class IngestCounts:
    messages: UpsertCounts
    senders: UpsertCounts
    threads: UpsertCounts
    rethreaded: int = 0


def upsert_list(*, item: ListItem) -> MailingList:
    """Create or refresh a list from HyperKitty's description of it."""
    row, _ = MailingList.objects.update_or_create(
        name=item.name,
        defaults={
            "address": item.address,
            "display_name": item.display_name,
            "description": item.description,
            "archive_url": item.archive_url,
            "created_at": item.created_at,
        },
    )
    return row


def ensure_list(*, name: str, address: str = "") -> MailingList:
    """The list named `name`, created when missing (mbox imports of lists HyperKitty lacks)."""
    name = name.strip().lower()
    if not name:
        raise ValueError("a mailing list needs a name")
    row, _ = MailingList.objects.get_or_create(name=name, defaults={"address": address})
    return row


def ingest_messages(*, mailing_list: MailingList, items: Sequence[MessageItem]) -> IngestCounts:
    """Store a batch of messages of one list with their senders and threads.

    Duplicate Message-IDs in the batch are collapsed (the last wins); a message stored
    before is updated only where it changed.
    """
    by_hash = {item.message_hash: item for item in items}
    batch = sorted(by_hash.values(), key=lambda i: (i.sent_at is None, i.sent_at, i.message_hash))
    if not batch:
        return IngestCounts(UpsertCounts(), UpsertCounts(), UpsertCounts())
    with transaction.atomic():
        senders = _upsert_senders(batch)
        roots = _thread_roots(mailing_list, batch)
        threads = _upsert_threads(mailing_list, batch, roots)
        counts = UpsertCounts()
        for source in sorted({i.source for i in batch}):
            rows = [_message_row(mailing_list, i, roots) for i in batch if i.source == source]
            counts += upsert(
                model=Message,
                rows=rows,
                unique_fields=["mailing_list", "message_hash"],
                update_fields=_SOURCE_FIELDS[source],
                parents={
                    "thread": ParentKey(
                        model=Thread, key="root_hash", scope={"mailing_list": mailing_list.pk}
                    ),
                    "sender": ParentKey(model=Sender, key="key"),
                },
            )
        moved = _follow_parents(mailing_list, list(by_hash)) if counts.created else 0
    return IngestCounts(messages=counts, senders=senders, threads=threads, rethreaded=moved)


def _upsert_senders(batch: Sequence[MessageItem]) -> UpsertCounts:
    """One profile per key; a name or Mailman id once known is kept (a later blank one loses)."""
    wanted = {i.sender.key: i.sender for i in batch}
    known = {
        s.key: s
        for s in Sender.objects.filter(key__any_of=list(wanted)).only(
            "key", "display_name", "mailman_id"
        )
    }
    rows = []
    for key, sender in wanted.items():
        old = known.get(key)
        rows.append(
            {
                "key": key,
                "address": sender.address,
                "display_name": (old.display_name if old and old.display_name else "")
                or sender.display_name,
                "mailman_id": sender.mailman_id or (old.mailman_id if old else ""),
            }
        )
    return upsert(
        model=Sender,
        rows=rows,
        unique_fields=["key"],
        update_fields=["address", "display_name", "mailman_id"],
    )


def _thread_roots(mailing_list: MailingList, batch: Sequence[MessageItem]) -> dict[str, str]:
    """The root hash of each message's thread.

    The parent (In-Reply-To, else the last References entry, else the archive's
    parent) leads to the root: through the batch, then through stored messages;
    when the parent is unknown, the first References entry (the conversation's start),
    else the archive's thread, else the parent itself is the root. A message with no
    parent joins the latest thread of its normalised subject within 30 days when its
    subject says it is a reply; otherwise it starts a thread.
    """
    in_batch = {i.message_hash: i for i in batch}
    asked = {i.parent_hash for i in batch if i.parent_hash}
    asked |= {message_id_hash(i.references[0]) for i in batch if i.references}
    stored = dict(
        Message.objects.filter(
            mailing_list=mailing_list, message_hash__any_of=list(asked - set(in_batch))
        ).values_list("message_hash", "thread__root_hash")
    )
    roots: dict[str, str] = {}
    by_subject: dict[str, tuple[datetime | None, str]] = {}
    stored_subjects = _subject_roots(mailing_list, batch)

    def root_of(item: MessageItem, depth: int = 0) -> str:
        own = item.message_hash
        if own in roots:
            return roots[own]
        roots[own] = own  # a cycle (A replies to B replies to A) ends here
        parent = item.parent_hash
        if parent and parent != own and depth < MAX_DEPTH:
            if parent in in_batch:
                root = root_of(in_batch[parent], depth + 1)
            elif parent in stored:
                root = stored[parent]
            elif item.references and message_id_hash(item.references[0]) != own:
                first = message_id_hash(item.references[0])
                root = stored.get(first, first)
            else:
                root = item.archive_thread_hash or parent
        elif item.archive_thread_hash:
            root = item.archive_thread_hash
        else:
            root = _subject_root(item, by_subject, stored_subjects) or own
        roots[own] = root
        return root

    for item in batch:
        root = root_of(item)
        if item.normalized_subject:
            by_subject[item.normalized_subject] = (item.sent_at, root)
    return roots


def _subject_roots(
    mailing_list: MailingList, batch: Sequence[MessageItem]
) -> dict[str, list[tuple[datetime, str]]]:
    """Stored (date, thread root) per normalised subject, for the batch's replies that
    have no parent: one query for the whole batch."""
    wanted = [
        i
        for i in batch
        if not i.parent_hash and i.sent_at is not None and is_reply_subject(i.subject)
    ]
    if not wanted:
        return {}
    moments = [i.sent_at for i in wanted if i.sent_at is not None]
    rows = Message.objects.filter(
        mailing_list=mailing_list,
        normalized_subject__any_of=sorted({i.normalized_subject for i in wanted}),
        sent_at__gte=min(moments) - SUBJECT_THREAD_WINDOW,
        sent_at__lte=max(moments),
    ).values_list("normalized_subject", "sent_at", "thread__root_hash")
    found: dict[str, list[tuple[datetime, str]]] = {}
    for subject, sent_at, root in rows:
        found.setdefault(subject, []).append((sent_at, root))
    return found


def _subject_root(
    item: MessageItem,
    by_subject: dict[str, tuple[datetime | None, str]],
    stored: dict[str, list[tuple[datetime, str]]],
) -> str | None:
    """The latest thread of the same subject within the window before `item`, if a reply."""
    if not item.normalized_subject or item.sent_at is None or not is_reply_subject(item.subject):
        return None
    moment = item.sent_at
    candidates = [
        (when, root)
        for when, root in stored.get(item.normalized_subject, [])
        if moment - SUBJECT_THREAD_WINDOW <= when <= moment
    ]
    earlier = by_subject.get(item.normalized_subject)
    if earlier and earlier[0] and moment - earlier[0] <= SUBJECT_THREAD_WINDOW:
        candidates.append((earlier[0], earlier[1]))
    return max(candidates)[1] if candidates else None


def _upsert_threads(
    mailing_list: MailingList, batch: Sequence[MessageItem], roots: dict[str, str]
) -> UpsertCounts:
    """A row per root; its subject and start are the root message's once that is stored."""
    known = {
        t.root_hash: t
        for t in Thread.objects.filter(
            mailing_list=mailing_list, root_hash__any_of=list(set(roots.values()))
        )
    }
    rows: dict[str, dict] = {}
    for item in batch:  # oldest first
        root = roots[item.message_hash]
        is_root = root == item.message_hash
        if root in rows and not is_root:
            continue
        old = known.get(root)
        if old is not None and not is_root:
            rows[root] = {"subject": old.subject, "started_at": old.started_at}
        else:
            rows[root] = {"subject": item.subject, "started_at": item.sent_at}
    return upsert(
        model=Thread,
        rows=[
            {"mailing_list": mailing_list.pk, "root_hash": root, **values}
            for root, values in rows.items()
        ],
        unique_fields=["mailing_list", "root_hash"],
        update_fields=["subject", "started_at"],
    )


def _message_row(mailing_list: MailingList, item: MessageItem, roots: dict[str, str]) -> dict:
    return {
        "mailing_list": mailing_list.pk,
        "message_hash": item.message_hash,
        "message_id": item.message_id,
        "thread": roots[item.message_hash],
        "parent_hash": item.parent_hash,
        "in_reply_to": item.in_reply_to,
        "references": list(item.references),
        "subject": item.subject,
        "normalized_subject": item.normalized_subject,
        "sent_at": item.sent_at,
        "date_from_archive": item.date_from_archive,
        "raw_date": item.raw_date,
        "sender": item.sender.key,
        "sender_name": item.sender.display_name,
        "body": item.body,
        "body_from_html": item.body_from_html,
        "quote_marks": item.quote_marks,
        "attachments": [
            {"name": a.name, "content_type": a.content_type, "size": a.size}
            for a in item.attachments
        ],
        "archive_url": item.archive_url,
        "source": item.source,
        "problems": list(item.problems),
    }


_FOLLOW_SQL = """
UPDATE {message} AS child SET thread_id = parent.thread_id, row_changed_at = now()
FROM {message} AS parent
WHERE parent.mailing_list_id = %s AND child.mailing_list_id = %s
  AND parent.message_hash = ANY(%s) AND child.parent_hash = parent.message_hash
  AND child.thread_id <> parent.thread_id
RETURNING child.message_hash
"""


def _follow_parents(mailing_list: MailingList, hashes: list[str]) -> int:
    """Move the replies of these messages (and theirs, down the tree) into their threads.

    A reply stored before its parent was put in a thread keyed on a guess (its first
    reference, or the parent itself); once the parent is stored, the reply belongs where
    the parent is. Bounded by MAX_DEPTH rounds.
    """
    sql = _FOLLOW_SQL.format(message=connection.ops.quote_name(Message._meta.db_table))
    moved, frontier = 0, hashes
    with connection.cursor() as cursor:
        for _ in range(MAX_DEPTH):
            if not frontier:
                break
            cursor.execute(sql, [mailing_list.pk, mailing_list.pk, frontier])
            frontier = [row[0] for row in cursor.fetchall()]
            moved += len(frontier)
    return moved
