"""Serve the Boost catalogue on the loopback fixture server, from the recorded files.

The contents endpoint answers `.gitmodules` and boost.org's release list as GitHub
documents it (base64 `content`, an ETag); the GraphQL endpoint answers the tag list
(hand-written, see PROVENANCE.md) and the aliased libraries.json queries, built from
the recorded `libraries.json` copies: a repository without a copy answers
`object: null`, as GitHub does for a missing file.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path

from boost_library_tracker.fetchers import (
    LIBRARIES_PER_QUERY,
    OWNER,
    RELEASE_LIST_PATH,
    RELEASE_LIST_REPO,
)
from boost_library_tracker.parsers import parse_gitmodules
from core.testing.fixture_server import FixtureServer

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
GITMODULES_1_86 = FIXTURES / "superproject" / "boostorg-boost_boost-1.86.0" / ".gitmodules"
LIBRARIES = FIXTURES / "libraries_json"
TAGS = FIXTURES / "github" / "graphql__boost_tags.json"
RELEASE_LIST = FIXTURES / "releases" / "boostorg-website_release.txt"
TAGS_WITH_1_87 = FIXTURES / "github" / "graphql__boost_tags_with_1.87.0.json"
JSON_HEADERS = {"content-type": "application/json; charset=utf-8"}


def recorded_repos() -> set[str]:
    return {p.parent.parent.name for p in LIBRARIES.glob("*/meta/libraries.json")}


def library_repo_names() -> list[str]:
    """The library submodules of the recorded 1.86.0 superproject, in file order."""
    text = GITMODULES_1_86.read_text(encoding="utf-8")
    return [s.repo_name for s in parse_gitmodules(text, source="test") if s.is_library]


def add_gitmodules(server: FixtureServer, ref: str) -> None:
    content = base64.b64encode(GITMODULES_1_86.read_bytes()).decode()
    server.add(
        "GET",
        f"/repos/boostorg/boost/contents/.gitmodules?ref={ref}",
        headers={**JSON_HEADERS, "etag": f'W/"gitmodules-{ref}"'},
        body={"type": "file", "encoding": "base64", "path": ".gitmodules", "content": content},
    )


def add_release_list(server: FixtureServer) -> None:
    """boost.org's recorded release list, at the path the fetcher reads it from."""
    server.add(
        "GET",
        f"/repos/{OWNER}/{RELEASE_LIST_REPO}/contents/{RELEASE_LIST_PATH}",
        headers={**JSON_HEADERS, "etag": 'W/"release-list"'},
        body={
            "type": "file",
            "encoding": "base64",
            "path": RELEASE_LIST_PATH,
            "content": base64.b64encode(RELEASE_LIST.read_bytes()).decode(),
        },
    )


def recorded_libraries_json(name: str) -> str | None:
    path = LIBRARIES / name / "meta" / "libraries.json"
    return path.read_text(encoding="utf-8") if path.exists() else None


def libraries_answers(texts: Mapping[str, str | None] | None = None) -> list[dict]:
    """The GraphQL answers of one release's libraries.json queries, in request order.

    `texts` replaces some repositories' files (None: the file is missing).
    """
    names = library_repo_names()
    answers = []
    for start in range(0, len(names), LIBRARIES_PER_QUERY):
        data = {}
        for index, name in enumerate(names[start : start + LIBRARIES_PER_QUERY]):
            text = (texts or {}).get(name, recorded_libraries_json(name))
            blob = None if text is None else {"text": text}
            data[f"r{index}"] = {"object": blob}
        answers.append({"data": data})
    return answers


def queue_tags(server: FixtureServer, *, with_1_87: bool = False) -> None:
    """Start a new sequence of GraphQL answers with the tag list."""
    server.clear("POST", "/graphql")
    body = json.loads((TAGS_WITH_1_87 if with_1_87 else TAGS).read_text(encoding="utf-8"))
    server.add("POST", "/graphql", headers=JSON_HEADERS, body=body)


def queue_catalogue_run(
    server: FixtureServer,
    *,
    with_1_87: bool = False,
    texts: Mapping[str, str | None] | None = None,
) -> None:
    """Queue one run's GraphQL answers: the tags, then each libraries.json batch."""
    queue_tags(server, with_1_87=with_1_87)
    for answer in libraries_answers(texts):
        server.add("POST", "/graphql", headers=JSON_HEADERS, body=answer)


def queue_new_release_batch(server: FixtureServer) -> None:
    """The GraphQL answers of a scheduled batch that finds boost-1.86.0 new: the
    release detector reads the tags, then `run_boost_library_tracker --version new`
    reads them again and asks for the libraries.json batches."""
    queue_tags(server)  # the detector's read
    tags = json.loads(TAGS.read_text(encoding="utf-8"))
    for answer in [tags, *libraries_answers()]:  # the collector's reads
        server.add("POST", "/graphql", headers=JSON_HEADERS, body=answer)


TREES = FIXTURES / "trees"


def tree_repos() -> set[str]:
    """The repositories with a hand-written header tree (see PROVENANCE.md)."""
    return {p.name.partition("@")[0] for p in TREES.glob("*@*.json")}


def add_header_trees(server: FixtureServer, ref: str = "boost-1.86.0") -> None:
    """Serve each hand-written `include/` tree at the trees endpoint; others answer 404."""
    for path in TREES.glob(f"*@{ref}.json"):
        repo = path.name.partition("@")[0]
        server.add(
            "GET",
            f"/repos/{OWNER}/{repo}/git/trees/{ref}?recursive=1",
            headers={**JSON_HEADERS, "etag": f'W/"tree-{repo}-{ref}"'},
            body=path.read_bytes(),
        )
