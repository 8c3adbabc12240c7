"""Searching: after the GitHub collector ran against the loopback server, and bad input."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from core.models import CollectorRun
from core.testing.fixture_server import point_github_at
from cppa_pinecone_sync.tests.conftest import issue_item, recorded_issue, store, sync
from github_activity_tracker.models import Comment, Issue
from github_activity_tracker.testing import github_routes as routes

pytestmark = pytest.mark.django_db

TOKEN = "ghp_" + "Feed5678" * 5
# Words from the body of the recorded boostorg/website-v2#1188.
PHRASE = "trigger that from a webhook"


@pytest.fixture
def collected(settings, fixture_server, tmp_path):
    """What `run_github_activity_tracker` stored from the recorded repository, and indexed."""
    point_github_at(settings, fixture_server, token=TOKEN, workspace=tmp_path / "workspace")
    settings.GITHUB_ACTIVITY_REPOS = [routes.REPO]
    routes.add_repository(fixture_server)
    out = StringIO()
    call_command("run_github_activity_tracker", stdout=out)
    return out.getvalue()


def search(*args: str) -> str:
    out = StringIO()
    call_command("search", *args, stdout=out)
    return out.getvalue()


def test_the_github_run_indexes_what_it_stored_and_search_finds_the_recorded_issue(
    collected,
) -> None:
    assert "search documents written" in collected
    found = json.loads(search(PHRASE, "--json"))
    assert found[0]["title"] == 'boostorg/website-v2#1188: webhook "import new releases"'
    assert found[0]["url"] == "https://github.com/boostorg/website-v2/issues/1188"
    start, end = found[0]["highlights"][0]
    assert found[0]["snippet"][start:end].lower() in {"trigger", "webhook"}
    issue = Issue.objects.get(number=1188)
    assert found[0]["admin_path"] == f"/admin/github_activity_tracker/issue/{issue.pk}/change/"
    text = search(PHRASE, "--source", "github", "--limit", "1")
    assert text.startswith('1. boostorg/website-v2#1188: webhook "import new releases"  [github, ')
    assert "**webhook**" in text


def test_a_comment_s_words_find_its_issue(collected) -> None:
    """Comments are folded into their issue's document."""
    issue = Issue.objects.get(number=1188)
    words = " ".join(Comment.objects.filter(issue=issue).order_by("created_at")[0].body.split()[:6])
    found = json.loads(search(words, "--json"))
    assert f"github-issue-{issue.github_id}" in [hit["doc_id"] for hit in found]


def test_an_unchanged_github_rerun_indexes_nothing(collected) -> None:
    call_command("run_github_activity_tracker", stdout=StringIO())
    row = CollectorRun.objects.filter(command="run_github_activity_tracker").latest("id")
    assert "search_documents_written" not in row.counters
    assert row.counters["search_unchanged"] == row.counters["search_documents_seen"] > 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "search: the query is empty"),
        ("   ", "search: the query is empty"),
        ("x" * 10_240, "search: the query is 10240 characters long; at most 1000 are accepted"),
    ],
)
def test_bad_queries_are_one_line_errors(db, query, message) -> None:
    with pytest.raises(CommandError, match=message) as caught:
        search(query)
    assert "\n" not in str(caught.value)


def test_unknown_source_and_bad_limit_are_one_line_errors(db) -> None:
    with pytest.raises(
        CommandError, match="unknown source 'nope'; registered sources: boost_usage, github"
    ):
        search("webhook", "--source", "nope")
    with pytest.raises(CommandError, match="limit must be between 1 and 100, got 0"):
        search("webhook", "--limit", "0")


@pytest.mark.parametrize(
    "query",
    ["the and of", '"import new releases', "state:open title:webhook", 'webhook -"new" or :::'],
)
def test_stop_words_and_operators_answer_results_or_nothing_never_an_error(repo, query) -> None:
    store(repo, recorded_issue())
    sync()
    out = search(query, "--json")
    assert isinstance(json.loads(out), list)


def test_stop_words_only_match_nothing(repo) -> None:
    store(repo, recorded_issue())
    sync()
    assert search("the and of") == "no results\n"


@pytest.fixture
def user_client(client, db):
    user = get_user_model().objects.create_user("reader", password="x" * 12)
    client.force_login(user)
    return client


def test_the_search_page_shows_the_issue_with_a_highlighted_snippet(collected, user_client) -> None:
    page = user_client.get("/search/", {"q": PHRASE, "source": "github"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="https://github.com/boostorg/website-v2/issues/1188"' in html
    assert "<mark>webhook</mark>" in html
    assert 'value="github" checked' in html
    assert "stored row" in html


def test_the_api_answers_json_and_bad_input_is_a_400_with_one_line(collected, user_client) -> None:
    answer = user_client.get("/api/search", {"q": PHRASE}).json()
    assert answer["results"][0]["url"].endswith("/issues/1188")
    for params, message in [
        ({"q": ""}, "the query is empty"),
        ({"q": "x" * 10_240}, "the query is 10240 characters long"),
        ({"q": "webhook", "source": "nope"}, "unknown source 'nope'"),
        ({"q": "webhook", "limit": "lots"}, "limit must be a whole number"),
    ]:
        response = user_client.get("/api/search", params)
        assert response.status_code == 400
        assert response.json()["error"].startswith(message)
    assert user_client.get("/search/", {"q": "x" * 10_240}).status_code == 400


def test_the_page_and_the_api_need_a_login(client, db) -> None:
    for path in ("/search/", "/api/search"):
        response = client.get(path, {"q": "webhook"})
        assert response.status_code == 302
        assert "/admin/login/" in response["location"]


def test_indexed_markup_never_reaches_the_page_as_markup(repo, user_client) -> None:
    store(repo, issue_item(5, body="<script>alert(1)</script> if a<b && c>d then webhook"))
    sync()
    html = user_client.get("/search/", {"q": "webhook"}).content.decode()
    assert "<script>" not in html
    assert "a&lt;b &amp;&amp; c&gt;d" in html
    assert "<mark>webhook</mark>" in html
