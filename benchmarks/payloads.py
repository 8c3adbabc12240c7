"""GitHub-shaped commit payloads for the ingest benchmark, generated lazily.

Each payload is what "Get a commit" returns (trimmed as in the tests' hand-written
payloads): a git author and committer, a GitHub account for the author and one file
change. Authors cycle through a fixed pool, as in a real repository where a few
hundred people write most commits, so the people upserts see repeats.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from github_activity_tracker.items import CommitItem
from github_activity_tracker.parsers import parse_commit

AUTHORS = 500
# Where the payloads would come from; a malformed one names it.
URL = "https://api.github.com/repos/boostorg/bench/commits"
PAGE_SIZE = 1000  # GitHub pages hold 100; ten of them per transaction keeps memory flat.


def commit_payload(n: int) -> dict[str, Any]:
    person = n % AUTHORS
    day = 1 + n % 28
    date = f"2024-{1 + n % 12:02d}-{day:02d}T12:00:00Z"
    return {
        "sha": f"{n:040x}",
        "commit": {
            "author": {"name": f"Dev {person}", "email": f"dev{person}@example.org", "date": date},
            "committer": {"name": "GitHub", "email": "noreply@github.com", "date": date},
            "message": f"Fix issue {n} in module {n % 97}",
        },
        "author": {"login": f"dev{person}", "id": 1_000_000 + person, "type": "User"},
        "committer": None,
        "stats": {"additions": 7, "deletions": 2, "total": 9},
        "files": [
            {
                "filename": f"include/boost/mod{n % 97}/file{n}.hpp",
                "status": "modified",
                "additions": 7,
                "deletions": 2,
                "changes": 9,
            }
        ],
    }


def commit_pages(count: int, *, page_size: int = PAGE_SIZE) -> Iterator[list[CommitItem]]:
    """Yield parsed pages of `page_size` commits; only one page is in memory at a time."""
    payloads = (commit_payload(n) for n in range(count))
    while page := [parse_commit(p, url=URL) for p in islice(payloads, page_size)]:
        yield page
