"""Split a mailbox file into raw messages, streaming: one message in memory at a time.

Why not the stdlib `mailbox` module: `mailbox.mbox` starts a message at every line
beginning with `From `, so archives whose bodies hold unescaped `From ` lines
("From Russia with love", "From time to time") are cut in two; it needs a plain file
on disk (no gzip stream, no HTTP download), and reads the whole file to build its table
of contents before the first message. Here a `From ` line separates messages only
when it looks like one (a date, or `From -` / `From <address>` alone) and the next
line is a header.
The stdlib `email` parser still reads each message (`parsers.parse_rfc822`).

Formats, told apart by the first line: mbox (`From ` lines: pipermail's
`From user at domain  Thu Apr 14 11:06:56 2016`, `From -`, Gmail's `From 123@xxx`),
MMDF (`^A^A^A^A` lines around each message), and archives of bare messages that each
start with the same `From:` or `X-Envelope-From:` header; a file that starts with any
other header is one message. gzip files are read through `gzip` as they stream.
A message longer than `max_bytes` keeps its first `max_bytes` (headers and the first
parts) and is marked `cut`, with its real size: one 50 MB attachment never costs more.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

_HEADER = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:")
_MMDF = b"\x01\x01\x01\x01"
_BOM = b"\xef\xbb\xbf"
_FROM_LINE_DATE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+"
    r"(\d{1,2})\s+(\d{1,2}):(\d\d)(?::(\d\d))?\s+(\d{4})"
)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_SPLIT_HEADERS = (b"from:", b"x-envelope-from:")
_BARE_SEPARATOR = re.compile(rb"^From (-|\S+@\S+)\s*$")


def is_separator(line: bytes) -> bool:
    """An mbox `From ` line: one with a date, or `From -` / `From <address>` alone.

    "From Russia with love" in a body is neither, so it stays text.
    """
    if not line.startswith(b"From "):
        return False
    if _BARE_SEPARATOR.match(line):
        return True
    return bool(_FROM_LINE_DATE.search(line.decode("latin-1")))


class NotAMailbox(ValueError):
    """The file does not start like any mailbox format (a binary file, an HTML page...)."""


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One message's bytes as the file holds them, and where it was found."""

    number: int
    offset: int
    data: bytes
    size: int
    separator: str = ""
    cut: bool = False
    truncated: bool = False

    def separator_date(self) -> datetime | None:
        """The date on an mbox `From ` line (UTC, as mail systems write it), if any."""
        match = _FROM_LINE_DATE.search(self.separator)
        if not match:
            return None
        _, month, day, hour, minute, second, year = match.groups()
        try:
            return datetime(
                int(year),
                _MONTHS.index(month) + 1,
                int(day),
                int(hour),
                int(minute),
                int(second or 0),
                tzinfo=UTC,
            )
        except ValueError:
            return None


def open_mailbox(path: str) -> BinaryIO:
    """Open a file, through gzip when it starts with gzip's magic bytes."""
    handle = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    magic = handle.read(2)
    handle.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=handle)  # type: ignore[return-value]
    return handle


def _is_blank(line: bytes) -> bool:
    return not line.strip()


class _Builder:
    """Collect one message's lines up to the size bound."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.parts: list[bytes] = []
        self.kept = 0
        self.size = 0
        self.offset = 0
        self.separator = ""

    def start(self, offset: int, separator: bytes = b"") -> None:
        self.parts, self.kept, self.size, self.offset = [], 0, 0, offset
        self.separator = separator.decode("latin-1").strip()

    def add(self, line: bytes) -> None:
        self.size += len(line)
        if self.kept < self.max_bytes:
            self.parts.append(line)
            self.kept += len(line)

    def build(self, number: int, *, truncated: bool = False) -> RawMessage | None:
        data = b"".join(self.parts)
        if not data.strip() and not self.separator:
            return None
        return RawMessage(
            number=number,
            offset=self.offset,
            data=data,
            size=self.size,
            separator=self.separator,
            cut=self.size > self.kept,
            truncated=truncated,
        )


def _lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    offset = 0
    for line in stream:
        yield offset, line
        offset += len(line)


def split_mailbox(
    stream: BinaryIO, *, max_bytes: int, where: str = "mailbox"
) -> Iterator[RawMessage]:
    """Yield the raw messages of a mailbox stream, in file order.

    A gzip stream that ends early yields what it held, the last message marked
    `truncated`. A stream whose first line fits no format raises `NotAMailbox`.
    """
    lines = _lines(stream)
    builder = _Builder(max_bytes)
    number = 0
    truncated = False
    try:
        first = next(lines, None)
        while first is not None and _is_blank(first[1]):
            first = next(lines, None)
        if first is None:
            return
        offset, line = first
        if line.startswith(_BOM):
            line = line[len(_BOM) :]
        kind = _kind(line, where=where)
        marker = line.split(b":", 1)[0].lower() + b":" if kind == "headers" else b""
        if kind == "mmdf":
            builder.start(offset)
        elif kind == "mbox":
            builder.start(offset, line)
        else:
            builder.start(offset)
            builder.add(line)
        previous_blank = False
        held: tuple[int, bytes] | None = None
        for offset, line in lines:
            if held is not None:
                held_offset, held_line = held
                held = None
                if _HEADER.match(line):
                    message = builder.build(number)
                    if message is not None:
                        yield message
                        number += 1
                    builder.start(held_offset, b"" if kind == "headers" else held_line)
                    if kind == "headers":
                        builder.add(held_line)
                    builder.add(line)
                    previous_blank = False
                    continue
                builder.add(held_line)
            if kind == "mmdf" and line.rstrip(b"\r\n") == _MMDF:
                message = builder.build(number)
                if message is not None:
                    yield message
                    number += 1
                builder.start(offset + len(line))
                previous_blank = True
                continue
            if (kind == "mbox" and is_separator(line)) or (
                kind == "headers"
                and previous_blank
                and marker in _SPLIT_HEADERS
                and line.lower().startswith(marker)
            ):
                held = (offset, line)
                continue
            builder.add(line)
            previous_blank = _is_blank(line)
        if held is not None:
            builder.add(held[1])
    except (EOFError, zlib.error, gzip.BadGzipFile):
        truncated = True
    message = builder.build(number, truncated=truncated)
    if message is not None:
        yield message


def _kind(line: bytes, *, where: str) -> str:
    if line.startswith(b"From "):
        return "mbox"
    if line.rstrip(b"\r\n") == _MMDF:
        return "mmdf"
    if _HEADER.match(line) and b"\x00" not in line:
        return "headers"
    raise NotAMailbox(
        f"{where} is not a mailbox: its first line is neither an mbox 'From ' line, "
        "an MMDF separator nor a mail header"
    )
