"""Pages as collectors see them, and the rules for following `Link: rel="next"`.

A page carries the URL of the next one, so a collector can store it as its
checkpoint cursor (in the same transaction as the page's rows) and resume there.
A next link to another origin is refused: following it would send the token to a
host the operator never configured.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from core.http.errors import ForeignOriginError, MalformedResponse
from core.http.payload import Payload
from core.http.redaction import redact

_NEXT_LINK = re.compile(r"<([^>]+)>\s*;[^,]*\brel=\"?next\"?", re.IGNORECASE)


@dataclass(frozen=True)
class Page:
    """One page of a REST list: its items, its URL and the URL of the next page."""

    items: list[Any]
    url: str
    next_url: str | None
    not_modified: bool = False


@dataclass(frozen=True)
class GraphQLPage:
    """One page of a GraphQL connection: its nodes and the cursor to continue after."""

    nodes: list[Any]
    end_cursor: str | None
    has_next_page: bool


def next_link(link_header: str) -> str | None:
    """Return the rel="next" URL of a `Link` header, or None on the last page."""
    match = _NEXT_LINK.search(link_header or "")
    return match.group(1) if match else None


def check_same_origin(url: str, *, base_url: str) -> str:
    """Return `url` when it has the scheme, host and port of `base_url`; else raise."""
    target, base = httpx.URL(url), httpx.URL(base_url)
    if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
        raise ForeignOriginError(
            f"refusing to follow a pagination link to {redact(url)}: it is not on "
            f"{base.scheme}://{base.netloc.decode()}",
            url=redact(url),
        )
    return url


def page_key(url: str) -> tuple:
    """What makes two page URLs the same page: origin, path and the query's pairs in any order."""
    parsed = httpx.URL(url)
    return (
        parsed.scheme,
        parsed.host,
        parsed.port,
        parsed.path,
        tuple(sorted(parsed.params.multi_items())),
    )


def page_items(body: Any, *, url: str) -> list[Any]:
    """Return a REST page's items: the list itself, or a search result's `items`."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return body["items"]
    raise MalformedResponse(f"{redact(url)} did not return a list of items", url=redact(url))


def connection_at(data: Any, path: Sequence[str], *, url: str) -> dict:
    """Walk `path` into GraphQL `data` and return the connection object found there."""
    node = data
    for step in path:
        if not isinstance(node, dict) or not isinstance(node.get(step), dict):
            raise MalformedResponse(
                f"{redact(url)}: GraphQL data has no connection at {'.'.join(path)}",
                url=redact(url),
            )
        node = node[step]
    return node


def connection_page(connection: dict, *, url: str) -> GraphQLPage:
    """Read nodes (or edges[].node) and pageInfo from a GraphQL connection."""
    fields = Payload.of(connection, url=url, kind="GraphQL connection")
    info = fields.require_object("pageInfo")
    has_next_page = info.require_flag("hasNextPage")
    if "nodes" in connection:
        nodes = fields.values("nodes")
    else:
        nodes = [edge.data.get("node") for edge in fields.objects("edges")]
    return GraphQLPage(
        nodes=nodes,
        end_cursor=info.optional_str("endCursor") or None,
        has_next_page=has_next_page,
    )
