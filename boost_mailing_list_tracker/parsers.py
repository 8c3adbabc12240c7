"""Raw messages (mbox) and HyperKitty JSON into `MessageItem`s: one parser path.

Both sources end in `_message_item`, which normalises the subject, marks quoted text
and builds the sender. RFC 5322 messages are read with the stdlib `email` package in
its `compat32` policy: the modern policy raises on malformed headers that thirty
years of list archives are full of, where compat32 keeps the raw value for us to
decode (`email.header` for RFC 2047, `get_filename` for RFC 2231).
"""

from __future__ import annotations

import email.errors
import email.header
import email.utils
import re
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import Any

from boost_mailing_list_tracker.addresses import parse_sender
from boost_mailing_list_tracker.bodies import extract, mark_quotes, normalize_newlines
from boost_mailing_list_tracker.items import (
    HYPERKITTY,
    MBOX,
    AttachmentItem,
    ListItem,
    MessageItem,
    message_id_hash,
)
from boost_mailing_list_tracker.mbox import RawMessage
from core.http import Payload

_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|fwd?|fw)\s*(?:\[\d+\])?\s*:|\[[^\]]{1,60}\])\s*", re.I
)
_MESSAGE_ID = re.compile(r"<([^<>]+)>")
_DATE_FORMATS = ("%d-%b-%y %H:%M:%S", "%d-%b-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S")
MAX_REFERENCES = 50
MAX_ID_CHARS = 2000
MAX_SUBJECT_CHARS = 2000


class MalformedMessage(ValueError):
    """A message that cannot be stored (no headers at all); it is quarantined."""


def normalize_subject(subject: str) -> str:
    """The subject for threading: `Re:`, `Fwd:` and `[list]` prefixes stripped, case folded."""
    text = " ".join(subject.split())
    while True:
        stripped = _REPLY_PREFIX.sub("", text, count=1)
        if stripped == text:
            return text.casefold()
        text = stripped


_REPLY_WORD = re.compile(r"(?:re|aw|sv|fwd?|fw)\s*(?:\[\d+\])?\s*:", re.I)


def is_reply_subject(subject: str) -> bool:
    """Whether a `Re:`/`Fwd:` (before or after `[list]` tags) says the message replies."""
    text = " ".join(subject.split())
    while True:
        match = _REPLY_PREFIX.match(text)
        if match is None:
            return False
        if _REPLY_WORD.match(match.group(0).strip()):
            return True
        text = text[match.end() :]


def _fix_8bit(text: str) -> str:
    """Header text with raw 8-bit bytes (kept as surrogates by the parser) decoded."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def header_text(message: Message, name: str) -> str:
    """A header decoded (RFC 2047) and unfolded; an undecodable one as written.

    Read from `raw_items()`: compat32 wraps a value holding raw 8-bit bytes in a
    `Header` of charset unknown-8bit, which would come back as encoded words.
    """
    return decoded_headers(message).get(name.lower(), "")


def decoded_headers(message: Message) -> dict[str, str]:
    """The first value of every header, decoded; computed once per message."""
    cached = vars(message).get("_decoded_headers")
    if cached is not None:
        return cached
    found: dict[str, str] = {}
    for key, value in message.raw_items():
        name = key.lower()
        if name not in found:
            found[name] = _decode_header(str(value))
    vars(message)["_decoded_headers"] = found
    return found


def _decode_header(raw: str) -> str:
    raw = " ".join(raw.split())
    if "=?" not in raw:
        return _fix_8bit(raw)
    try:
        text = str(email.header.make_header(email.header.decode_header(_fix_8bit(raw))))
    except (LookupError, ValueError, UnicodeError, email.errors.HeaderParseError):
        text = raw
    return " ".join(_fix_8bit(text).split())


def clean_id(value: str) -> str:
    """A Message-ID without angle brackets and whitespace, bounded in length."""
    match = _MESSAGE_ID.search(value)
    bare = match.group(1) if match else value
    return "".join(bare.split())[:MAX_ID_CHARS]


def _ids(value: str) -> tuple[str, ...]:
    found = [clean_id(m) for m in _MESSAGE_ID.findall(value)]
    return tuple(i for i in found if i)[-MAX_REFERENCES:]


def parse_date(value: str) -> datetime | None:
    """An RFC 5322 date (or a few formats old archives used) in UTC; None when unreadable."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        moment = None
        for pattern in _DATE_FORMATS:
            try:
                moment = datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    if not 1970 <= moment.year <= 2100:
        return None
    return moment


def _received_date(message: Message) -> datetime | None:
    received = message.get_all("received") or []
    for value in received[:1]:
        _, _, when = str(value).rpartition(";")
        moment = parse_date(when)
        if moment is not None:
            return moment
    return None


def parse_rfc822(raw: RawMessage, *, archive_date: datetime | None = None) -> MessageItem:
    """One raw message as an item; a message with no headers raises MalformedMessage."""
    data = raw.data.replace(b"\r\n", b"\n")
    message = BytesParser(policy=policy.compat32).parsebytes(data)
    if not message.keys():
        raise MalformedMessage(
            f"message {raw.number + 1} (byte {raw.offset}) has no headers; kept in quarantine"
        )
    problems: list[str] = []
    if raw.cut:
        problems.append(f"{raw.size} bytes; parsed its first {len(raw.data)} bytes only")
    if raw.truncated:
        problems.append("the file ends inside this message (truncated)")
    defects = [type(d).__name__ for part in message.walk() for d in part.defects]
    problems += sorted(set(defects))
    raw_date = header_text(message, "date")[:200]
    sent_at = parse_date(raw_date)
    from_archive = False
    if sent_at is None:
        sent_at = raw.separator_date() or archive_date or _received_date(message)
        from_archive = True
        problems.append(f"unreadable Date {raw_date!r}" if raw_date else "no Date header")
    message_id = clean_id(header_text(message, "message-id"))
    if not message_id:
        # Stable across imports: the same bytes give the same id, so a re-import is free.
        message_id = f"generated-{message_id_hash(data.decode('latin-1'))}@mbox.invalid"
        problems.append("no Message-ID; one was derived from the message's bytes")
    body, from_html, attachments, notes = extract(message)
    list_name = _list_name(message)
    return _message_item(
        message_id=message_id,
        subject=header_text(message, "subject"),
        sent_at=sent_at,
        date_from_archive=from_archive,
        raw_date=raw_date,
        sender_value=header_text(message, "from"),
        in_reply_to=next(iter(_ids(header_text(message, "in-reply-to"))), ""),
        references=_ids(header_text(message, "references")),
        body=body,
        body_from_html=from_html,
        attachments=tuple(attachments),
        source=MBOX,
        list_name=list_name,
        problems=tuple(problems + notes),
    )


def _list_name(message: Message) -> str:
    """The list a message was sent to: List-Id, X-BeenThere, or a `[name]` subject tag."""
    list_id = header_text(message, "list-id")
    match = _MESSAGE_ID.search(list_id)
    if match:
        return match.group(1).split(".")[0].lower()
    been_there = header_text(message, "x-beenthere")
    if "@" in been_there:
        return been_there.split("@")[0].strip().lower()
    tag = re.match(r"^\s*(?:re:\s*)*\[([\w.-]{1,60})\]", header_text(message, "subject"), re.I)
    return tag.group(1).lower() if tag else ""


def _message_item(
    *,
    message_id: str,
    subject: str,
    sender_value: str,
    body: str,
    sender_name: str = "",
    mailman_id: str = "",
    **fields: Any,
) -> MessageItem:
    body = body[: _max_body_chars()]
    subject = subject[:MAX_SUBJECT_CHARS]
    return MessageItem(
        message_id=message_id,
        message_hash=message_id_hash(message_id),
        subject=subject,
        normalized_subject=normalize_subject(subject),
        sender=parse_sender(sender_value, name_hint=sender_name, mailman_id=mailman_id),
        body=body,
        quote_marks=mark_quotes(body),
        **fields,
    )


def _max_body_chars() -> int:
    from django.conf import settings

    return int(settings.MAILING_LIST_MAX_BODY_CHARS)


# --- HyperKitty ---------------------------------------------------------------

_HASH_IN_URL = re.compile(r"/(?:email|message|thread)/([A-Z2-7]{32})/?$")


def hash_from_url(value: str | None) -> str:
    """The message or thread hash at the end of a HyperKitty URL ('' for none)."""
    match = _HASH_IN_URL.search((value or "").split("?")[0])
    return match.group(1) if match else ""


def parse_list(payload: Any, *, url: str) -> ListItem:
    """A `lists/` entry or `list/<fqdn>/` answer."""
    fields = Payload.of(payload, url=url, kind="mailing list")
    address = fields.require_str("name")
    return ListItem(
        name=address.split("@")[0].lower(),
        address=address,
        display_name=fields.optional_str("display_name")[:200],
        description=fields.optional_str("description"),
        archive_url=fields.optional_str("url")[:500],
        created_at=fields.optional_moment("created_at"),
    )


def parse_listed_email(payload: Any, *, url: str) -> dict[str, Any]:
    """The fields of an `emails/` entry the collector compares before asking for details."""
    fields = Payload.of(payload, url=url, kind="email")
    message_id = clean_id(fields.require_str("message_id"))
    return {
        "message_id": message_id,
        "hash": message_id_hash(message_id),
        "detail_url": fields.require_str("url"),
        "subject": " ".join(fields.optional_str("subject").split()),
        "date": fields.require_moment("date"),
        "parent": hash_from_url(fields.optional_str("parent")),
    }


def parse_email(payload: Any, *, url: str) -> MessageItem:
    """An email detail answer (`.../email/<hash>/`): content, attachments, sender."""
    fields = Payload.of(payload, url=url, kind="email")
    message_id = clean_id(fields.require_str("message_id"))
    sender = fields.optional_object("sender")
    attachments = tuple(
        AttachmentItem(
            name=entry.optional_str("name")[:300],
            content_type=entry.optional_str("content_type")[:200],
            size=entry.optional_int("size", maximum=2**62) or 0,
        )
        for entry in fields.objects("attachments")
    )
    subject = fields.optional_str("subject")
    return _message_item(
        message_id=message_id,
        subject=" ".join(subject.split()),
        sent_at=fields.require_moment("date"),
        date_from_archive=False,
        raw_date=fields.optional_str("date")[:200],
        sender_value=sender.optional_str("address") if sender else "",
        sender_name=fields.optional_str("sender_name"),
        mailman_id=(sender.optional_str("mailman_id") if sender else "")[:100],
        in_reply_to="",
        references=(),
        body=normalize_newlines(fields.optional_str("content")),
        body_from_html=False,
        attachments=attachments,
        source=HYPERKITTY,
        archive_parent_hash=hash_from_url(fields.optional_str("parent")),
        archive_thread_hash=hash_from_url(fields.optional_str("thread")),
        archive_url=fields.optional_str("url")[:500],
        problems=(),
    )
