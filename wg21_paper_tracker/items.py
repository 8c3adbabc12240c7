"""Plain items the WG21 fetcher yields: no Django, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Index entry types (wg21.link's `type`) that are papers; issues and editorial items
# are not stored by this app.
PAPER_TYPES = frozenset({"paper", "standing-document", ""})


@dataclass(frozen=True, slots=True)
class PaperId:
    """A document id split into its paper and revision: `P2300R7` is paper `P2300`, R7."""

    document_id: str  # P2300R7, D2300R7, N4950, SD-1
    paper_number: str  # P2300, N4950, SD-1
    kind: str  # a models.PaperKind value
    revision: int | None
    is_draft: bool


@dataclass(frozen=True, slots=True)
class MailingItem:
    """A mailing listed in the papers index: `2024-01`, "2024-01 pre-Tokyo mailing"."""

    mailing_id: str
    title: str
    year: int
    date: date

    def __str__(self) -> str:
        return self.mailing_id


@dataclass(frozen=True, slots=True)
class AuthorName:
    name: str
    email: str = ""


@dataclass(frozen=True, slots=True)
class RevisionItem:
    """One paper revision, from a year page's row or an index entry.

    `mailing_id` is empty for a revision known only from the index. `formats` maps a
    format (adoc, html, ps, pdf, ...) to its URL, `url` is the preferred one.
    """

    paper: PaperId
    title: str
    authors: tuple[AuthorName, ...] = ()
    document_date: date | None = None
    mailing_id: str = ""
    subgroup: str = ""
    audience: str = ""
    disposition: str = ""
    previous_id: str = ""
    formats: dict[str, str] = field(default_factory=dict)
    url: str = ""
    index_type: str = ""
    status: str = ""

    @property
    def document_id(self) -> str:
        return self.paper.document_id


@dataclass(frozen=True, slots=True)
class MailingSection:
    """A mailing's part of a year page: its title and its rows, raw (for the quarantine)."""

    mailing_id: str
    title: str
    rows: list[dict]


@dataclass(frozen=True, slots=True)
class IndexSummary:
    """What an index held besides its papers: aliases resolved, entries not papers."""

    entries: int = 0
    aliases: int = 0
    unresolved_aliases: int = 0
    not_papers: int = 0
