"""The plain-text body of a message, its attachments' metadata, and its quoted lines.

The body is the message's inline text/plain parts (a Mailman footer part included,
then marked as footer); without any, its HTML part converted to text with
`inscriptis`, which keeps the layout of lists and tables readable. Every other part
is an attachment: name, type and decoded size are kept, never the content.

Charsets lie in old archives, so text is decoded by these rules: a part declared as
ISO-8859-1, US-ASCII or nothing whose bytes are valid UTF-8 is UTF-8; otherwise such
a part is windows-1252 (what mail clients really sent under that label; its bytes
0x80-0x9F are printable quotes and dashes); an unknown or wrong charset falls back to
UTF-8, then windows-1252 with replacement characters. Each fallback is noted in the
message's `problems`.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from email.message import Message

from inscriptis import get_text

from boost_mailing_list_tracker.items import AttachmentItem

_LATIN1_LABELS = {
    "",
    "us-ascii",
    "ascii",
    "ansi_x3.4-1968",
    "iso-8859-1",
    "iso8859-1",
    "iso_8859-1",
    "latin-1",
    "latin1",
    "l1",
    "windows-1252",
    "cp1252",
}
_QUOTED = re.compile(r"^\s{0,3}>")
_ATTRIBUTION = re.compile(
    r"(wrote|writes|said|schrieb|a écrit|escribió|ha scritto)\s*:\s*$|^On .{6,}$", re.IGNORECASE
)
_FOOTERS = (
    re.compile(r"^-{2,} next part -{2,}\s*$"),  # pipermail's scrubbed-attachment note
    re.compile(r"^_{30,}\s*$"),  # Mailman's list footer rule
    re.compile(r"^-- ?$"),  # the signature delimiter
)
_ORIGINAL = re.compile(r"^-{3,}\s*Original Message\s*-{3,}\s*$", re.IGNORECASE)


def decode_text(payload: bytes, declared: str | None) -> tuple[str, str | None]:
    """Decode a text part's bytes; return the text and a note when the label was wrong."""
    label = (declared or "").strip().strip("\"'").lower()
    if label in _LATIN1_LABELS:
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", errors="replace"), None
        if label and label not in ("us-ascii", "ascii") and not payload.isascii():
            return text, f"declared {label}, decoded as UTF-8"
        return text, None
    try:
        return payload.decode(label), None
    except (LookupError, UnicodeDecodeError, ValueError):
        pass
    try:
        return payload.decode("utf-8"), f"declared {label}, decoded as UTF-8"
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace"), f"declared {label}, decoded as cp1252"


def part_bytes(part: Message) -> bytes:
    """The decoded content of a leaf part, tolerating a `base64 ` with trailing space."""
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    # The raw payload as parsed from bytes (8-bit bytes kept as surrogates):
    # `get_payload()` would already decode it with the declared charset, which lies.
    raw = vars(part).get("_payload")
    if isinstance(raw, list):
        return b""
    data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else bytes(raw or b"")
    if encoding == "base64":
        try:
            return base64.b64decode(re.sub(rb"[^A-Za-z0-9+/=]", b"", data) + b"==", validate=False)
        except (binascii.Error, ValueError):
            return data
    if encoding == "quoted-printable":
        return quopri.decodestring(data)
    return data


def _is_attachment(part: Message) -> bool:
    disposition = str(part.get("content-disposition", "")).split(";")[0].strip().lower()
    if disposition == "attachment":
        return True
    if part.get_content_maintype() != "text":
        return True
    return part.get_filename() is not None and part.get_content_subtype() not in ("plain", "html")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except (LookupError, ValueError, UnicodeError):
        name = ""
    if isinstance(name, tuple):  # an undecodable RFC 2231 value: (charset, lang, text)
        name = name[2]
    text = str(name)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # raw 8-bit bytes in the header, kept as surrogates
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return " ".join(text.split())[:300]


MAX_DEPTH = 50


def extract(message: Message) -> tuple[str, bool, list[AttachmentItem], list[str]]:
    """Body text, whether it came from HTML, the attachments, and decoding notes.

    multipart/alternative gives its plain-text version (else its HTML one); the parts of
    any other multipart, and of forwarded or bounced messages, are all read in order
    (an HTML part beside a plain one counts as its alternative).
    """
    texts: list[tuple[str, bool]] = []
    attachments: list[AttachmentItem] = []
    problems: list[str] = []

    def leaf(part: Message) -> None:
        if (part is not message and _is_attachment(part)) or (
            part is message and part.get_content_maintype() not in ("text", "multipart")
        ):
            size = len(part_bytes(part))
            attachments.append(AttachmentItem(_filename(part), part.get_content_type(), size))
            return
        text, note = decode_text(part_bytes(part), part.get_content_charset())
        if note:
            problems.append(note)
        is_html = part.get_content_subtype() == "html"
        texts.append((get_text(text) if is_html else text, is_html))

    def visit(part: Message, depth: int) -> None:
        payload = part.get_payload() if part.is_multipart() else None
        if not isinstance(payload, list):
            if part.get_content_maintype() == "message" or part.is_multipart():
                return  # an empty container (a digest separator, a broken multipart)
            leaf(part)
            return
        children: list[Message] = [c for c in payload if isinstance(c, Message)]
        if depth >= MAX_DEPTH:
            problems.append(f"parts nested deeper than {MAX_DEPTH} levels were not read")
            return
        plain = [c for c in children if c.get_content_type() == "text/plain"]
        html = [c for c in children if c.get_content_type() == "text/html"]
        if part.get_content_type() == "multipart/alternative":
            children = plain[-1:] or html[-1:] or children[:1]
        elif plain and html:
            # HTML beside plain text in one multipart is nearly always the same text
            # sent twice under the wrong multipart type: keep the plain version.
            children = [c for c in children if c.get_content_type() != "text/html"]
        for child in children:
            visit(child, depth + 1)

    visit(message, 0)
    body = "\n".join(text for text, _ in texts)
    from_html = bool(texts) and all(is_html for _, is_html in texts)
    return normalize_newlines(body), from_html, attachments, problems


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def mark_quotes(body: str) -> dict:
    """Line ranges of quoted text and the first line of the signature or list footer.

    `{"quoted": [[first, last], ...], "signature": n or None}`, 0-based and inclusive:
    a `>` line, the attribution line just above a quote ("On ... wrote:"), and
    everything after an "Original Message" rule; the signature is the first `-- `
    delimiter, Mailman footer rule or scrubbed-attachment note.
    """
    lines = body.split("\n")
    quoted: list[list[int]] = []
    signature = None
    for number, line in enumerate(lines):
        if any(rule.match(line) for rule in _FOOTERS):
            signature = number
            break
        if _ORIGINAL.match(line):
            quoted.append([number, len(lines) - 1])
            break
        if not _QUOTED.match(line):
            continue
        if quoted and quoted[-1][1] == number - 1:
            quoted[-1][1] = number
            continue
        start = number
        above = number - 1
        while above >= 0 and not lines[above].strip():
            above -= 1
        if above >= 0 and _ATTRIBUTION.search(lines[above]) and (number - above) <= 2:
            start = above
        previous = quoted[-1][1] if quoted else None
        if previous is not None and all(not x.strip() for x in lines[previous + 1 : start]):
            quoted[-1][1] = number  # one quote interrupted by blank lines
        else:
            quoted.append([start, number])
    return {"quoted": quoted, "signature": signature}


def own_text(body: str, marks: dict) -> str:
    """The body without its quoted lines, signature and footer: what search indexes."""
    lines = body.split("\n")
    end = marks.get("signature")
    skip: set[int] = set()
    for first, last in marks.get("quoted", []):
        skip.update(range(first, last + 1))
    kept = [line for n, line in enumerate(lines[:end]) if n not in skip]
    return "\n".join(kept).strip()
