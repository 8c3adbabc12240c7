"""GitHub REST parsers against recorded responses and documented payload shapes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.http import MalformedResponse, Payload
from cppa_user_tracker.items import GitHubAccountItem, GitIdentityItem
from github_activity_tracker import parsers
from github_activity_tracker.items import ISSUE, PULL_REQUEST, FileChangeItem
from github_activity_tracker.testing import payloads
from github_activity_tracker.testing.recordings import octokit_responses, recorded

URL = payloads.REPO_API


def test_recorded_issue_with_assignee_and_state_reason() -> None:
    item = parsers.parse_issue(recorded("website-v2_issue-1188/issue_rest.json"), url=URL)
    assert (item.number, item.github_id, item.category) == (1188, 2466326283, ISSUE)
    assert item.source_id == "2466326283"
    assert item.title == 'webhook "import new releases"'
    assert (item.state, item.state_reason) == ("closed", "completed")
    assert item.author == GitHubAccountItem(
        github_id=1257803,
        login="sdarwin",
        account_type="User",
        avatar_url="https://avatars.githubusercontent.com/u/1257803?v=4",
    )
    assert [a.login for a in item.assignees] == ["gavinwahl"]
    assert item.created_at == datetime(2024, 8, 14, 16, 46, 18, tzinfo=UTC)
    assert item.updated_at == datetime(2024, 10, 23, 13, 58, 35, tzinfo=UTC)
    assert item.closed_at == datetime(2024, 10, 23, 13, 58, 34, tzinfo=UTC)
    assert item.labels == ()


def test_recorded_issue_with_a_label() -> None:
    item = parsers.parse_issue(recorded("website-v2_issue-1897/issue_rest.json"), url=URL)
    (label,) = item.labels
    assert (label.github_id, label.name, label.color) == (3428574710, "Feature", "0E8A16")
    assert label.description == "New feature or request"


def test_pull_request_key_marks_a_pull_request() -> None:
    assert parsers.parse_issue(payloads.pull_request_issue(), url=URL).category == PULL_REQUEST


def test_recorded_paginated_issue_lists() -> None:
    pages = octokit_responses("paginate-issues", "get", "/repos")  # also /repositories/…
    assert len(pages) == 5
    items = [parsers.parse_issue(obj, url=URL) for page in pages for obj in page]
    assert sorted(i.number for i in items) == list(range(1, 14))
    assert all(i.category == ISSUE for i in items)


def test_recorded_comments() -> None:
    items = [
        parsers.parse_comment(c, url=URL)
        for c in recorded("website-v2_issue-1188/comments_rest.json")
    ]
    assert len(items) == 16
    first = items[0]
    assert (first.source_id, first.issue_number) == ("2407828318", 1188)
    assert first.author is not None
    assert first.author.login == "gavinwahl"
    assert first.body.startswith("@sdarwin the target of that button")


def test_recorded_empty_review_list_and_written_reviews() -> None:
    assert recorded("website-v2_pr-1602/reviews_rest.json") == []
    approved = parsers.parse_review(payloads.review(11, "APPROVED"), url=URL)
    assert (approved.pull_number, approved.state, approved.source_id) == (1602, "APPROVED", "11")
    assert approved.updated_at == datetime(2025, 2, 1, 10, tzinfo=UTC)
    assert parsers.parse_review(payloads.review(12, "PENDING"), url=URL).updated_at is None


def test_review_comment() -> None:
    item = parsers.parse_review_comment(payloads.review_comment(21, review_id=11), url=URL)
    assert (item.pull_number, item.review_id, item.path) == (1602, 11, "docs/nix_based_setup.md")


def test_recorded_repository() -> None:
    (obj,) = octokit_responses("get-repository", "get", "/repos/octokit-fixture-org/hello-world")
    item = parsers.parse_repository(obj, url=URL)
    assert (item.github_id, item.owner, item.name) == (
        103703892,
        "octokit-fixture-org",
        "hello-world",
    )
    assert item.full_name == "octokit-fixture-org/hello-world"
    assert item.topics == ("fixtures", "hello", "hello-world")
    assert (item.description, item.language, item.license) == ("", "", "")
    assert item.default_branch == "master"
    assert item.pushed_at == datetime(2017, 11, 3, 20, 11, 46, tzinfo=UTC)


def test_licence_prefers_the_spdx_id() -> None:
    (obj,) = octokit_responses("get-repository", "get", "/repos/octokit-fixture-org/hello-world")
    with_licence = {**obj, "license": {"key": "bsl-1.0", "spdx_id": "BSL-1.0"}}
    assert parsers.parse_repository(with_licence, url=URL).license == "BSL-1.0"


def test_recorded_release() -> None:
    (obj,) = octokit_responses(
        "release-assets",
        "get",
        "/repos/octokit-fixture-org/tmp-scenario-release-assets-20220719044014639-1reww/releases/tags",
    )
    item = parsers.parse_release(obj, url=URL)
    assert (item.source_id, item.tag_name, item.name) == ("72286832", "v1.0.0", "Version 1.0.0")
    assert item.published_at == datetime(2022, 7, 19, 4, 40, 21, tzinfo=UTC)
    assert item.updated_at == item.published_at
    assert item.author is not None


def test_recorded_labels() -> None:
    page, *_ = octokit_responses(
        "labels",
        "get",
        "/repos/octokit-fixture-org/tmp-scenario-labels-20220719043808548-dbtiq/labels",
    )
    labels = [parsers.parse_label(Payload.of(obj, url=URL, kind="label")) for obj in page]
    assert labels[0].name == "bug"
    assert len(labels) == 9


def test_commit_detail_with_files_and_stats() -> None:
    obj = payloads.commit("a" * 40, files=[payloads.file_change("README.md")])
    item = parsers.parse_commit(obj, url=URL)
    assert item.source_id == item.sha == "a" * 40
    assert item.author == GitIdentityItem(name="Dave O'Connor", email="dave@example.org")
    assert item.committer == GitIdentityItem(name="GitHub", email="noreply@github.com")
    assert item.author_account is not None
    assert item.author_account.github_id == 2774608
    assert item.committer_account is None
    assert (item.additions, item.deletions) == (3, 1)
    assert item.files == (FileChangeItem("README.md", "modified", 3, 1, 4),)


def test_commit_from_the_list_has_no_stats_and_may_have_no_account() -> None:
    item = parsers.parse_commit(payloads.commit("b" * 40, account=None), url=URL)
    assert (item.additions, item.deletions, item.files) == (None, None, None)
    assert item.author_account is None
    assert item.updated_at == datetime(2025, 1, 16, 19, 39, 31, tzinfo=UTC)


def test_merged_and_open_pull_requests() -> None:
    merged = parsers.parse_pull_request(payloads.pull_request(), url=URL)
    assert (merged.merged, merged.merge_commit_sha, merged.base_ref) == (True, "c" * 40, "develop")
    assert merged.merged_by is not None
    assert merged.merged_by.login == "sdarwin"
    still_open = parsers.parse_pull_request(payloads.pull_request(merged=False), url=URL)
    assert (still_open.merged, still_open.merged_at, still_open.merged_by) == (False, None, None)


ISSUE_5 = {
    "id": 5,
    "number": 1,
    "state": "open",
    "created_at": "2024-01-01T00:00:00Z",
    "updated_at": "2024-01-01T00:00:00Z",
}


@pytest.mark.parametrize(
    ("parse", "payload", "field", "problem"),
    [
        (parsers.parse_issue, {**ISSUE_5, "updated_at": None}, "updated_at", "is missing"),
        (parsers.parse_commit, {"sha": "a" * 40}, "commit", "is missing"),
        (
            parsers.parse_comment,
            {"id": 9, "updated_at": "2024-01-01T00:00:00Z"},
            "issue_url",
            "is missing",
        ),
        (parsers.parse_issue, {**ISSUE_5, "user": {"id": 3}}, "user.login", "is missing"),
        (parsers.parse_release, {"id": 4}, "tag_name", "is missing"),
        (parsers.parse_repository, {"id": 8, "owner": {}}, "owner.login", "is missing"),
        (
            parsers.parse_issue,
            {**ISSUE_5, "user": "octocat"},
            "user",
            "is the text 'octocat', expected an object or null",
        ),
        (
            parsers.parse_issue,
            {**ISSUE_5, "labels": [{"id": 1, "name": "bug"}, ["bug"]]},
            "labels[1]",
            "is a list, expected an object",
        ),
        (
            parsers.parse_issue,
            {**ISSUE_5, "id": 2**63},
            "id",
            f"is {2**63}, outside 1..{2**63 - 1}",
        ),
        (
            parsers.parse_issue,
            {**ISSUE_5, "number": True},
            "number",
            "is a boolean, expected an integer",
        ),
        (
            parsers.parse_issue,
            {**ISSUE_5, "updated_at": "yesterday"},
            "updated_at",
            "is the text 'yesterday', expected an ISO 8601 timestamp",
        ),
        (
            parsers.parse_commit,
            payloads.commit("a" * 40, files=[payloads.file_change("x.cpp", additions=10**20)]),
            "stats.additions",
            f"is {10**20}, outside 0..{2**31 - 1}",
        ),
        (
            parsers.parse_comment,
            {"id": 9, "updated_at": "2024-01-01T00:00:00Z", "issue_url": "https://x/issues/"},
            "issue_url",
            "is 'https://x/issues/', expected a URL ending in an issue number",
        ),
    ],
)
def test_wrong_shapes_name_the_url_item_and_field(parse, payload, field, problem) -> None:
    with pytest.raises(MalformedResponse) as caught:
        parse(payload, url=URL)

    error = caught.value
    assert error.field == field
    kind = str(error).split(": ")[1]
    assert str(error) == f"{URL}: {kind}: field {field!r} {problem}"
    assert error.url == URL
    assert error.item_id == str(payload.get("id") or payload.get("sha"))


@pytest.mark.parametrize("value", [[], "text", 7, None])
def test_an_item_that_is_not_an_object_is_malformed(value) -> None:
    with pytest.raises(MalformedResponse, match=r"issue is .*, expected an object"):
        parsers.parse_issue(value, url=URL)


def test_a_deleted_user_is_no_account() -> None:
    assert parsers.parse_account(None) is None
