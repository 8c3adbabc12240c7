"""Read WG21's pages and files: the papers index, year pages, wg21.link's index, documents.

Two origins, one client each: open-std.org (the papers index, the year pages, the
documents) and wg21.link (its `index.json`). Every request is conditional where the
server gives validators, so an unchanged page costs a 304 and no parsing of new
data. No database access here beyond the access layer's validator cache: the
collector stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.bad_items import ParsedPage
from core.http import Downloaded, Fetched, WebClient
from wg21_paper_tracker.items import IndexSummary, MailingItem, MailingSection, RevisionItem
from wg21_paper_tracker.parsers import parse_index, parse_mailing_index, parse_year_page


@dataclass(frozen=True)
class YearPage:
    """A year page as fetched, and its mailings' sections."""

    fetched: Fetched
    sections: dict[str, MailingSection]


@dataclass(frozen=True)
class IndexAnswer:
    fetched: Fetched
    page: ParsedPage[RevisionItem]
    summary: IndexSummary


class WG21Fetcher:
    """Yield WG21 mailings, year pages, index entries and documents as plain items."""

    def __init__(self, *, papers: WebClient, index: WebClient, index_url: str) -> None:
        self.papers = papers
        self.index_client = index
        self.index_url = index_url

    def mailings(self) -> tuple[Fetched, list[MailingItem]]:
        """The mailings the papers index links, oldest first."""
        fetched = self.papers.text(self.papers.base_url)
        return fetched, parse_mailing_index(fetched.body, url=fetched.url)

    def year_page(self, year: int) -> YearPage:
        """A year's page (`<papers>/<year>/`) with each mailing's raw rows."""
        fetched = self.papers.text(f"{year}/")
        return YearPage(fetched, parse_year_page(fetched.body, url=fetched.url))

    def index(self) -> Fetched:
        """wg21.link's index as fetched (a 304 hands back the stored body)."""
        return self.index_client.json(self.index_url)

    def parse_index(self, fetched: Fetched, *, papers: frozenset[str] = frozenset()) -> IndexAnswer:
        """The index's paper entries as items (only `papers`' revisions when given)."""
        page, summary = parse_index(
            fetched.body, url=fetched.url, origin=self.papers.base_url, papers=papers
        )
        return IndexAnswer(fetched, page, summary)

    def document(self, url: str, *, path: Path, max_bytes: int) -> Downloaded:
        """Download a revision's file to `path` (on the papers origin only)."""
        return self.papers.download(url, path=path, max_bytes=max_bytes)
