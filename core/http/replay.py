"""Serve a client from a raw archive instead of the network (`--replay PATH`).

The collector runs its very same fetch and parse code; only the transport differs.
Responses are matched by request fingerprint (method, redacted URL, body) and served
in the order they were recorded, so a retried request replays its failures and then
its success, as it happened. Asking for a request the archive never saw is an error:
a replay must not silently return less data than the original run.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
from collections import defaultdict, deque
from pathlib import Path

import httpx

from core.http.archive import ARCHIVE_FILE_NAME, request_fingerprint
from core.http.errors import ReplayMissError
from core.http.redaction import redact

logger = logging.getLogger(__name__)


def archive_files(path: Path) -> list[Path]:
    """Return the archive files at `path`: the file itself, or every one below a folder."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(path.rglob(ARCHIVE_FILE_NAME))
    raise FileNotFoundError(f"no raw archive at {path}")


_RECORD_KEYS = frozenset({"request_fingerprint", "status", "headers"})


def archive_problem(path: Path) -> str | None:
    """Why `path` is not a raw archive to replay, or None when it is one.

    Only each file's first record is read: enough to refuse a text file, a binary
    file or a folder of something else before a run starts, without reading a large
    archive twice.
    """
    if not path.exists():
        return "no such file or folder"
    files = archive_files(path)
    if not files:
        return f"no {ARCHIVE_FILE_NAME} in this folder or below it"
    for file in files:
        label = "" if file == path else f"{file}: "
        try:
            with gzip.open(file, "rt", encoding="utf-8") as handle:
                first = handle.readline()
        except (OSError, EOFError, UnicodeDecodeError):
            return f"{label}not a gzip-compressed archive of responses"
        if _parsed_record(first) is None:
            return f"{label}does not start with a recorded response"
    return None


def read_archive(path: Path) -> list[dict]:
    """Return the archived response records at `path`, oldest first."""
    records: list[dict] = []
    for file in archive_files(path):
        records.extend(_records(file))
    return records


def _records(file: Path) -> list[dict]:
    """The records of one archive file; a record cut short at the end is left out.

    A run killed while appending leaves its last gzip member incomplete: the records
    before it are whole and replay; anything else unreadable is a ValueError naming the
    file and the line (`validation`), never a bare EOFError.
    """
    records: list[dict] = []
    try:
        with gzip.open(file, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.endswith("\n") and line.strip():
                    records.append(_record(line, file=file, number=number))
    except EOFError:
        logger.warning(
            "%s ends with a record cut short (a run killed while writing); replaying the %s "
            "before it",
            file,
            len(records),
        )
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{file}: unreadable after {len(records)} records ({exc})") from exc
    return records


def _parsed_record(line: str) -> dict | None:
    """The archived response on `line`, or None when the line is not one."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) and record.keys() >= _RECORD_KEYS else None


def _record(line: str, *, file: Path, number: int) -> dict:
    record = _parsed_record(line)
    if record is None:
        raise ValueError(f"{file}: line {number} is not a recorded response")
    return record


def _response_from(record: dict, request: httpx.Request) -> httpx.Response:
    if "body_base64" in record:
        content = base64.b64decode(record["body_base64"])
    else:
        content = record.get("body", "").encode("utf-8")
    return httpx.Response(
        status_code=record["status"], headers=record["headers"], content=content, request=request
    )


class ReplayTransport(httpx.BaseTransport):
    """An httpx transport answering from archived responses; it never opens a socket."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._queues: dict[str, deque[dict]] = defaultdict(deque)
        for record in read_archive(path):
            self._queues[record["request_fingerprint"]].append(record)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        queue = self._queues.get(request_fingerprint(request))
        if not queue:
            raise ReplayMissError(
                f"the archive at {self.path} has no response for "
                f"{request.method} {redact(str(request.url))}"
            )
        # The last response for a request stays, so a replay may ask for it again.
        record = queue.popleft() if len(queue) > 1 else queue[0]
        return _response_from(record, request)
