"""What a source app hands the search sync: documents, tombstones and the source itself.

Sources are plain data and callables, so an app registers one without importing
anything of this app but this module and `registry`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class Document:
    """One searchable text, e.g. an issue with its comments folded in.

    `changed_at` is when our database last changed any row the document is built from:
    the sync's watermark, never the source's own edit time (so a backfilled old item is
    indexed). `admin_path` links a result back to the stored row.
    """

    doc_id: str
    url: str
    title: str
    text: str
    updated_at: datetime | None
    changed_at: datetime
    metadata: Mapping[str, Any] = field(default_factory=dict)
    admin_path: str = ""

    @cached_property
    def content_hash(self) -> str:
        """Everything the index stores of the document; equal hashes mean nothing to write."""
        content = {
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "metadata": self.metadata,
            "admin_path": self.admin_path,
        }
        encoded = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(encoded.encode()).hexdigest()


@dataclass(frozen=True)
class Tombstone:
    """A document deleted or hidden at the source: it must leave the index."""

    doc_id: str
    changed_at: datetime


Change = Document | Tombstone


@dataclass(frozen=True)
class DocumentSource:
    """A named stream of documents, registered by the app that stores them.

    - `changed_since(moment)`: every document (or tombstone) whose rows changed at or
      after `moment` (`None`: all of them), oldest change first.
    - `load(doc_ids)`: the current documents of those ids (for the retry list); an id
      whose rows are gone is answered with a tombstone or not at all.
    - `newest_change()`: the newest change time of any of its rows, for the index lag
      that /health/ and the status page show.
    """

    name: str
    namespace: str
    changed_since: Callable[[datetime | None], Iterable[Change]]
    load: Callable[[Sequence[str]], Iterable[Change]]
    newest_change: Callable[[], datetime | None] = lambda: None
    description: str = ""
