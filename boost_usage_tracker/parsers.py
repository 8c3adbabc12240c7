"""GitHub answers → usage items: code search pages and GraphQL repository nodes."""

from __future__ import annotations

import re
from typing import Any

from boost_usage_tracker.items import (
    CodeHitItem,
    RepositoryDetailsItem,
    SearchPageItem,
)
from boost_usage_tracker.versions import BUILD_FILES, from_version_check
from core.http import Payload

# `#include <boost/asio/ip/tcp.hpp>` or `# include "boost/json.hpp"`.
_INCLUDE = re.compile(r"#\s*include\s*[<\"](boost/[A-Za-z0-9_./+-]+)[>\"]")
INT_MAX = 2**31 - 1
_FRAGMENT_CHARS = 1000


def headers_in(text: str) -> tuple[str, ...]:
    """The Boost headers a piece of code includes, in order, without repeats."""
    found = (m.group(1) for m in _INCLUDE.finditer(text))
    return tuple(dict.fromkeys(h for h in found if ".." not in h and len(h) <= 300))


def parse_code_hit(value: Any, *, url: str, index: int) -> CodeHitItem:
    """One item of a code search page; its matched fragments give the headers."""
    item = Payload.of(value, url=url, kind="code search item", path=f"items[{index}]")
    repository = item.require_object("repository")
    fragments = [
        match.optional_str("fragment") for match in item.optional_objects("text_matches") or []
    ]
    text = "\n".join(f for f in fragments if f)
    path = item.require_str("path")[:500]
    return CodeHitItem(
        repo_id=repository.require_id(),
        full_name=repository.require_str("full_name"),
        node_id=repository.optional_str("node_id"),
        is_fork=repository.flag("fork"),
        path=path,
        headers=headers_in(text),
        fragment=text[:_FRAGMENT_CHARS],
        version_check=from_version_check(text, path=path),
    )


def parse_search_page(body: Any, *, url: str) -> SearchPageItem:
    """A code search page: `total_count`, `incomplete_results` (absent in old answers), items."""
    page = Payload.of(body, url=url, kind="code search page")
    total = page.require_int("total_count", maximum=2**62)
    items = page.values("items")
    hits = tuple(parse_code_hit(value, url=url, index=i) for i, value in enumerate(items))
    return SearchPageItem(
        total_count=total,
        incomplete=page.flag("incomplete_results"),
        hits=hits,
        received=len(items),
    )


# The files asked for in the details query, by GraphQL alias.
FILE_ALIASES = {
    "cmake": "CMakeLists.txt",
    "vcpkg": "vcpkg.json",
    "conan_txt": "conanfile.txt",
    "conan_py": "conanfile.py",
}


def parse_repository_node(node: Payload) -> RepositoryDetailsItem:
    """A GraphQL Repository node (the fields `REPOSITORY_FIELDS` asks for)."""
    language = node.optional_object("primaryLanguage")
    licence = node.optional_object("licenseInfo")
    versions = []
    for alias, path in FILE_ALIASES.items():
        blob = node.optional_object(alias)
        text = blob.optional_str("text") if blob is not None else ""
        found = BUILD_FILES[path](text, path=path) if text else None
        if found is not None:
            versions.append(found)
    return RepositoryDetailsItem(
        github_id=node.require_int("databaseId", maximum=2**62),
        node_id=node.require_str("id"),
        full_name=node.require_str("nameWithOwner"),
        stars=node.require_int("stargazerCount", maximum=INT_MAX),
        forks=node.require_int("forkCount", maximum=INT_MAX),
        language=(language.optional_str("name") if language else "")[:100],
        license=(licence.optional_str("spdxId") if licence else "")[:100],
        created_on_github=node.optional_moment("createdAt"),
        pushed_at=node.optional_moment("pushedAt"),
        archived=node.flag("isArchived"),
        is_fork=node.flag("isFork"),
        versions=tuple(versions),
    )
