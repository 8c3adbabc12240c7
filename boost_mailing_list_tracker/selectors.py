"""Reads of boost_mailing_list_tracker that the admin and other apps use."""

from __future__ import annotations

from datetime import datetime

from boost_mailing_list_tracker.models import MailingList, Message, Thread


def thread_tree(thread: Thread) -> list[tuple[Message, int]]:
    """The thread's messages in reading order (replies under their parent, by date), with depth."""
    messages = list(thread.messages.select_related("sender").order_by("sent_at", "id"))
    by_hash = {m.message_hash: m for m in messages}
    children: dict[str, list[Message]] = {}
    tops: list[Message] = []
    for message in messages:
        parent = by_hash.get(message.parent_hash)
        if parent is None or parent is message:
            tops.append(message)
        else:
            children.setdefault(parent.message_hash, []).append(message)
    ordered: list[tuple[Message, int]] = []
    seen: set[str] = set()
    stack = [(m, 0) for m in reversed(tops)]
    while stack:
        message, depth = stack.pop()
        if message.message_hash in seen:
            continue
        seen.add(message.message_hash)
        ordered.append((message, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(message.message_hash, [])))
    # A reply cycle has no top: show what the walk did not reach at depth 0.
    ordered += [(m, 0) for m in messages if m.message_hash not in seen]
    return ordered


def listed_fields(
    *, mailing_list: MailingList, hashes: list[str]
) -> dict[str, tuple[str, datetime | None, str]]:
    """Stored (subject, date, parent hash) by message hash: what HyperKitty's list shows."""
    rows = Message.objects.filter(
        mailing_list=mailing_list, message_hash__any_of=hashes
    ).values_list("message_hash", "subject", "sent_at", "parent_hash")
    return {h: (subject, sent_at, parent) for h, subject, sent_at, parent in rows}
