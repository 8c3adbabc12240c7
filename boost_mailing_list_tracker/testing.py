"""A loopback HyperKitty for tests and demos: the samples in tests/fixtures/hyperkitty/
served as the REST API serves them (list, pages of emails newest first, details).

The samples were written from HyperKitty's published field list (no recording exists);
see tests/fixtures/PROVENANCE.md.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from core.testing.fixture_server import FixtureServer

FIXTURES = Path(__file__).resolve().parent / "tests" / "fixtures" / "hyperkitty"
API = "/archives/api"
LISTS = ("boost", "boost-users", "boost-announce")
_LISTED = (
    "url",
    "mailinglist",
    "message_id",
    "message_id_hash",
    "thread",
    "sender",
    "sender_name",
    "subject",
    "date",
    "parent",
    "children",
)


def address(name: str) -> str:
    return f"{name}@lists.boost.org"


def load_emails(name: str) -> list[dict[str, Any]]:
    """The email details of one list, newest first, with `HOST` still in their URLs."""
    return json.loads((FIXTURES / f"emails__{name}.json").read_text(encoding="utf-8"))


def _here(value: Any, base_url: str) -> Any:
    return json.loads(json.dumps(value).replace("HOST", base_url))


def emails_target(name: str, *, offset: int, limit: int) -> str:
    return f"{API}/list/{address(name)}/emails/?format=json&limit={limit}&offset={offset}"


def detail_target(name: str, message_hash: str) -> str:
    return f"{API}/list/{address(name)}/email/{message_hash}/?format=json"


def serve_list(
    server: FixtureServer, name: str, emails: list[dict[str, Any]] | None = None, *, page_size: int
) -> None:
    """(Re)serve one list: its description, its pages of emails and each email's detail."""
    lists = {entry["name"]: entry for entry in json.loads((FIXTURES / "lists.json").read_text())}
    emails = load_emails(name) if emails is None else emails
    base = server.base_url
    server.clear("GET", f"{API}/list/{address(name)}/?format=json")
    server.add(
        "GET", f"{API}/list/{address(name)}/?format=json", body=_here(lists[address(name)], base)
    )
    offsets = range(0, max(len(emails), 1), page_size)
    for offset in offsets:
        chunk = emails[offset : offset + page_size]
        following = offset + page_size
        page = {
            "count": len(emails),
            "next": (base + emails_target(name, offset=following, limit=page_size))
            if following < len(emails)
            else None,
            "previous": None,
            "results": [{k: e[k] for k in _LISTED} for e in chunk],
        }
        target = emails_target(name, offset=offset, limit=page_size)
        server.clear("GET", target)
        server.add("GET", target, body=_here(page, base))
    for entry in emails:
        target = detail_target(name, entry["message_id_hash"])
        server.clear("GET", target)
        server.add("GET", target, body=_here(entry, base))


def serve_all(server: FixtureServer, *, page_size: int) -> dict[str, list[dict[str, Any]]]:
    """Serve the three lists; return their emails (copies a test may edit and re-serve)."""
    served = {}
    for name in LISTS:
        served[name] = copy.deepcopy(load_emails(name))
        serve_list(server, name, served[name], page_size=page_size)
    return served
