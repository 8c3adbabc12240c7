"""The `git log` parser on output written as git writes it (`-z`, NUL-separated format)."""

from __future__ import annotations

import logging

import pytest

from github_activity_tracker import git_history
from github_activity_tracker.git_log import GitLogError, parse_log

SHA = "a" * 40
PARENT = "b" * 40


def commit(sha: str = SHA, *, diff: bytes = b"", message: bytes = b"Subject\n\nBody\n") -> bytes:
    header = [PARENT.encode(), b"Ann", b"ann@example.org", b"1700000000", b"Cy", b"cy@example.org"]
    fields = [b"\x01" + sha.encode(), *header, b"1700000060", message, b""]
    return b"\0".join(fields) + b"\0" + diff


RENAME_AND_BINARY = (
    b"\n:100644 100644 " + b"1" * 40 + b" " + b"2" * 40 + b" R093\0old name.txt\0new\tname.txt\0"
    b":000000 100644 " + b"0" * 40 + b" " + b"3" * 40 + b" A\0logo.png\0"
    b"2\t1\t\0old name.txt\0new\tname.txt\0-\t-\tlogo.png\0"
)


def test_a_rename_and_a_binary_file_become_github_shaped_file_changes() -> None:
    [item] = parse_log([commit(diff=RENAME_AND_BINARY)])

    assert item.message == "Subject\n\nBody"
    assert str(item.committed_at) == "2023-11-14 22:14:20+00:00"
    assert (item.additions, item.deletions) == (2, 1)
    assert item.files is not None
    renamed, binary = item.files
    assert (renamed.filename, renamed.previous_filename, renamed.status) == (
        "new\tname.txt",
        "old name.txt",
        "renamed",
    )
    assert (binary.status, binary.additions, binary.deletions, binary.changes) == (
        "added",
        0,
        0,
        0,
    )


def test_output_split_anywhere_parses_the_same() -> None:
    stream = commit(diff=RENAME_AND_BINARY) + commit("c" * 40)
    whole = list(parse_log([stream]))

    for cut in range(1, len(stream)):
        assert list(parse_log([stream[:cut], stream[cut:]])) == whole
    assert [c.sha for c in whole] == [SHA, "c" * 40]
    assert whole[1].files == ()


@pytest.mark.parametrize(
    ("stream", "error"),
    [
        (b"not a commit\0", "git log output: expected a commit, got b'not a commit'"),
        (commit()[:60], f"commit {SHA}: its header fields end early or run on"),
        (
            commit(diff=b"\n:100644 100644 x y M\0a.txt\0"),
            f"commit {SHA}: numstat of 'a.txt' is missing",
        ),
        (
            commit(diff=b"\n:100644 100644 x y M\0a.txt\0x\t1\ta.txt\0"),
            f"commit {SHA}: numstat count b'x' is not a number",
        ),
    ],
)
def test_output_it_does_not_understand_is_one_error_naming_the_commit(stream, error) -> None:
    with pytest.raises(GitLogError) as caught:
        list(parse_log([stream]))
    assert str(caught.value) == error


def test_without_the_setting_git_is_chosen_when_found_and_said_once(settings, caplog) -> None:
    settings.GITHUB_ACTIVITY_COMMITS_FROM = ""
    git_history._said.clear()
    with caplog.at_level(logging.INFO, logger="github_activity_tracker.git_history"):
        assert git_history.commits_source() == git_history.GIT
        assert git_history.commits_source() == git_history.GIT
    [record] = caplog.records
    assert record.getMessage().startswith(
        "commits are read from git (GITHUB_ACTIVITY_COMMITS_FROM is unset; git found at "
    )


def test_without_the_setting_and_without_git_the_api_is_used(settings, monkeypatch) -> None:
    settings.GITHUB_ACTIVITY_COMMITS_FROM = ""
    monkeypatch.setenv("PATH", "/nonexistent")
    assert git_history.commits_source() == git_history.API
