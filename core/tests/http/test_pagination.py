"""REST pagination over recorded octokit pages, GraphQL cursors, and bad bodies."""

from __future__ import annotations

import json
import re

import pytest

from core.errors import CollectorFailureCategory, classify_failure
from core.http import ForeignOriginError, GraphQLError, MalformedResponse, PaginationLoopError
from core.http.paging import next_link
from core.tests.http.conftest import ISSUE_PAGES, ISSUES_PARAMS, ISSUES_PATH, OCTOKIT

ISSUES_QUERY = """
query($after: String) {
  repository(owner: "boostorg", name: "json") {
    issues(first: 2, after: $after) { nodes { number } pageInfo { hasNextPage endCursor } }
  }
}
"""


def _connection(numbers: list[int], cursor: str | None, more: bool) -> dict:
    page = {
        "nodes": [{"number": n} for n in numbers],
        "pageInfo": {"hasNextPage": more, "endCursor": cursor},
    }
    return {"data": {"repository": {"issues": page}}}


def test_rest_pages_follow_link_next_to_the_last_page(octokit_server, make_client) -> None:
    pages = list(make_client().pages(ISSUES_PATH, params=ISSUES_PARAMS))

    assert [len(p.items) for p in pages] == [3, 3, 3, 3, 1]
    assert [p.next_url is None for p in pages] == [False] * 4 + [True]
    assert pages[0].next_url == f"{octokit_server.base_url}{ISSUE_PAGES[1]}"
    assert [r.target for r in octokit_server.requests] == ISSUE_PAGES
    numbers = [item["number"] for page in pages for item in page.items]
    assert len(numbers) == len(set(numbers)) == 13


def test_items_default_to_100_per_page(fixture_server, make_client) -> None:
    fixture_server.add("GET", "/repos/a/b/tags?per_page=100", body=[{"name": "boost-1.90.0"}])

    assert list(make_client().items("/repos/a/b/tags")) == [{"name": "boost-1.90.0"}]


def test_a_next_link_to_another_origin_is_refused(fixture_server, make_client) -> None:
    link = '<https://evil.example/steal?page=2>; rel="next"'
    fixture_server.add("GET", "/repos/a/b/issues?per_page=100", headers={"link": link}, body=[])

    with pytest.raises(ForeignOriginError) as caught:
        list(make_client().pages("/repos/a/b/issues"))

    assert "evil.example" in str(caught.value)
    assert classify_failure(caught.value) is CollectorFailureCategory.VALIDATION
    assert fixture_server.hits() == 1


def test_a_resume_url_to_another_origin_is_refused(make_client) -> None:
    with pytest.raises(ForeignOriginError):
        next(make_client().pages(ISSUES_PATH, start_url="http://127.0.0.2:1/x"))


def test_search_results_yield_their_items(fixture_server, make_client) -> None:
    [recorded] = json.loads((OCTOKIT / "search-issues" / "normalized-fixture.json").read_text())
    fixture_server.add(
        "GET", recorded["path"] + "&per_page=100", headers={}, body=recorded["response"]
    )
    params = {"q": "sesame repo:octokit-fixture-org/search-issues"}

    [page] = list(make_client().pages("/search/issues", params=params))

    assert [item["number"] for item in page.items] == [
        item["number"] for item in recorded["response"]["items"]
    ]
    assert len(page.items) == 2


def test_next_link_reads_any_rel_position() -> None:
    header = '<https://x/a?page=1>; rel="prev", <https://x/a?page=3>; rel="next"'
    assert next_link(header) == "https://x/a?page=3"
    assert next_link('<https://x/a?page=1>; rel="first"') is None


@pytest.mark.parametrize(
    ("links", "requests"),
    [
        (["/repos/a/b/issues?per_page=100"], 1),
        (["/repos/a/b/issues?page=2", "/repos/a/b/issues?per_page=100"], 2),
        (["/repos/a/b/issues?page=2&per_page=100", "/repos/a/b/issues?per_page=100&page=2"], 2),
    ],
    ids=["self-link", "two-page-cycle", "same-page-query-reordered"],
)
def test_a_next_link_to_a_page_already_read_stops_the_stream(
    fixture_server, make_client, links, requests
) -> None:
    base = fixture_server.base_url
    targets = ["/repos/a/b/issues?per_page=100", *links[:-1]]
    for target, following in zip(targets, links, strict=True):
        link = f'<{base}{following}>; rel="next"'
        fixture_server.add("GET", target, headers={"link": link}, body=[{"number": 1}])

    with pytest.raises(PaginationLoopError) as caught:
        list(make_client().pages("/repos/a/b/issues"))

    assert f"its next link {base}{links[-1]} is a page this stream already read" in str(
        caught.value
    )
    assert classify_failure(caught.value) is CollectorFailureCategory.VALIDATION
    assert fixture_server.hits() == requests


def test_a_graphql_cursor_sent_again_stops_the_stream(fixture_server, make_client) -> None:
    fixture_server.add("POST", "/graphql", body=_connection([1, 2], "c2", True))
    fixture_server.add("POST", "/graphql", body=_connection([3], "c3", True))
    fixture_server.add("POST", "/graphql", body=_connection([1, 2], "c2", True))

    pages = make_client().graphql_pages(ISSUES_QUERY, connection_path=["repository", "issues"])
    with pytest.raises(PaginationLoopError, match="sent the cursor 'c2' again"):
        list(pages)

    assert fixture_server.hits() == 3


def test_json_nested_20000_deep_is_malformed_not_a_recursion_error(
    fixture_server, make_client
) -> None:
    fixture_server.add("GET", "/repos/a/b", body=b"[" * 20_000 + b"]" * 20_000)

    with pytest.raises(MalformedResponse) as caught:
        make_client().get("/repos/a/b")

    assert str(caught.value) == (
        f"{fixture_server.base_url}/repos/a/b returned GET body nested more than 100 levels deep"
    )


@pytest.mark.parametrize(("depth", "refused"), [(100, False), (101, True), (150, True)])
def test_json_deeper_than_100_levels_is_refused(fixture_server, make_client, depth, refused):
    # 150 levels decode in Python, and could exhaust the stack when stored later.
    body = '{"a": ' * (depth - 1) + '["[[[ in a string"]' + "}" * (depth - 1)
    fixture_server.add("GET", "/repos/a/b", body=body)

    if refused:
        with pytest.raises(MalformedResponse, match="nested more than 100 levels deep"):
            make_client().get("/repos/a/b")
    else:
        assert make_client().get("/repos/a/b") is not None


def test_malformed_json_names_the_url(fixture_server, make_client) -> None:
    fixture_server.add("GET", "/repos/a/b", body=b'{"id": 1, "name": ')

    with pytest.raises(MalformedResponse) as caught:
        make_client().get("/repos/a/b")

    assert f"{fixture_server.base_url}/repos/a/b" in str(caught.value)
    assert classify_failure(caught.value) is CollectorFailureCategory.VALIDATION


def test_a_list_endpoint_returning_an_object_is_malformed(fixture_server, make_client) -> None:
    fixture_server.add("GET", "/repos/a/b/pulls?per_page=100", body={"message": "odd"})

    with pytest.raises(MalformedResponse, match="did not return a list"):
        list(make_client().items("/repos/a/b/pulls"))


def test_graphql_pages_follow_end_cursors(fixture_server, make_client) -> None:
    fixture_server.add("POST", "/graphql", body=_connection([1, 2], "c2", True))
    fixture_server.add("POST", "/graphql", body=_connection([3], "c3", False))

    pages = list(
        make_client().graphql_pages(
            ISSUES_QUERY, connection_path=["repository", "issues"], variables={"owner": "b"}
        )
    )

    assert [[n["number"] for n in p.nodes] for p in pages] == [[1, 2], [3]]
    assert pages[-1].end_cursor == "c3"
    sent = [json.loads(r.body)["variables"] for r in fixture_server.requests]
    assert sent == [{"owner": "b", "after": None}, {"owner": "b", "after": "c2"}]


def test_graphql_edges_are_read_like_nodes(fixture_server, make_client) -> None:
    edges = {"edges": [{"node": {"number": 9}}], "pageInfo": {"hasNextPage": False}}
    fixture_server.add("POST", "/graphql", body={"data": {"search": edges}})

    [page] = make_client().graphql_pages("q", connection_path=["search"], after="c1")

    assert page.nodes == [{"number": 9}]
    assert json.loads(fixture_server.requests[0].body)["variables"] == {"after": "c1"}


def test_graphql_errors_in_a_200_raise_with_their_messages(fixture_server, make_client) -> None:
    body = {
        "data": None,
        "errors": [
            {"type": "NOT_FOUND", "message": "Could not resolve to a Repository 'nope'."},
            {"message": "Field 'x' doesn't exist"},
        ],
    }
    fixture_server.add("POST", "/graphql", body=body)

    with pytest.raises(GraphQLError) as caught:
        make_client().graphql('query { repository(name: "nope") { id } }')

    assert caught.value.messages == [
        "Could not resolve to a Repository 'nope'.",
        "Field 'x' doesn't exist",
    ]
    assert caught.value.types == ["NOT_FOUND", ""]
    assert "Could not resolve" in str(caught.value)


def test_tolerated_graphql_errors_leave_the_rest_of_the_data(
    fixture_server, make_client, caplog
) -> None:
    body = {
        "data": {"r0": None, "r1": {"name": "json"}},
        "errors": [
            {"type": "NOT_FOUND", "path": ["r0"], "message": "Could not resolve 'gone'."},
        ],
    }
    fixture_server.add("POST", "/graphql", body=body)
    fixture_server.add("POST", "/graphql", body=body)

    data = make_client().graphql("q", tolerate=("NOT_FOUND",))

    assert data == {"r0": None, "r1": {"name": "json"}}
    assert "Could not resolve 'gone'. (tolerated)" in caplog.text
    with pytest.raises(GraphQLError, match="Could not resolve 'gone'"):
        make_client().graphql("q", tolerate=("FORBIDDEN",))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([1, 2], "not an object"),
        ({"data": None}, "no GraphQL data"),
        ({"data": {"repository": None}}, "no connection at repository.issues"),
        ({"data": {"repository": {"issues": {"nodes": []}}}}, "field 'pageInfo' is missing"),
        (
            {"data": {"repository": {"issues": {"nodes": {}, "pageInfo": {"hasNextPage": False}}}}},
            "field 'nodes' is an object, expected a list",
        ),
        (
            {"data": {"repository": {"issues": {"edges": [7], "pageInfo": {"hasNextPage": 0}}}}},
            "field 'pageInfo.hasNextPage' is 0, expected true or false",
        ),
        (
            {"data": {"repository": {"issues": {"edges": [7], "pageInfo": {"hasNextPage": True}}}}},
            "field 'edges[0]' is 7, expected an object",
        ),
    ],
)
def test_malformed_graphql_bodies_are_validation_errors(
    fixture_server, make_client, body, message
) -> None:
    fixture_server.add("POST", "/graphql", body=body)

    with pytest.raises(MalformedResponse, match=re.escape(message)):
        list(make_client().graphql_pages("q", connection_path=["repository", "issues"]))
