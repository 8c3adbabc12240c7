"""Plain items the two fetchers (HyperKitty REST and mbox) hand the collector.

Both produce the same `MessageItem`, keyed on `message_hash` (HyperKitty's hash of the
Message-ID), so one message read from both sources is one row.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

HYPERKITTY = "hyperkitty"
MBOX = "mbox"


def message_id_hash(message_id: str) -> str:
    """HyperKitty's (and Mailman's `X-Message-ID-Hash`) key: base32 of SHA-1 of the bare id."""
    bare = message_id.strip().removeprefix("<").removesuffix(">")
    digest = hashlib.sha1(bare.encode("utf-8", "surrogatepass")).digest()
    return base64.b32encode(digest).decode("ascii")


@dataclass(frozen=True, slots=True)
class SenderItem:
    """Who sent a message: `key` is the address, or `unknown:<name>` without one."""

    key: str
    address: str
    display_name: str
    mailman_id: str = ""


@dataclass(frozen=True, slots=True)
class AttachmentItem:
    """An attachment's metadata; its content is never stored."""

    name: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class ListItem:
    """A mailing list as HyperKitty describes it (`lists/`, `list/<fqdn>/`)."""

    name: str
    address: str
    display_name: str
    description: str
    archive_url: str
    created_at: datetime | None


@dataclass(frozen=True)
class MessageItem:
    """One message, from either source, ready for `services.ingest_messages`."""

    message_id: str
    message_hash: str
    subject: str
    normalized_subject: str
    sent_at: datetime | None
    date_from_archive: bool
    raw_date: str
    sender: SenderItem
    in_reply_to: str
    references: tuple[str, ...]
    body: str
    body_from_html: bool
    quote_marks: dict
    attachments: tuple[AttachmentItem, ...]
    source: str
    list_name: str = ""
    archive_parent_hash: str = ""
    archive_thread_hash: str = ""
    archive_url: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def source_id(self) -> str:
        return self.message_hash

    @cached_property
    def parent_hash(self) -> str:
        """In-Reply-To, else the last References entry, else the archive's parent."""
        if self.in_reply_to:
            return message_id_hash(self.in_reply_to)
        if self.references:
            return message_id_hash(self.references[-1])
        return self.archive_parent_hash
