"""Commits from a git mirror: the same rows as the API path, mirrors kept and repaired.

The history is a real repository made with git commands (`testing/git_history.py`);
the API path reads the same history in GitHub's shapes from the loopback server.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.checkpoints import get_checkpoint
from core.locks import held_lock_keys, lock_key
from core.models import CollectorRun, QuarantinedItem
from core.testing.fixture_server import point_github_at
from core.testing.manage import ROOT, manage_env
from cppa_user_tracker.models import GitHubAccount, GitIdentity
from github_activity_tracker import git_history as source
from github_activity_tracker.git_mirror import GitMirror, git_environment
from github_activity_tracker.models import Commit, FileChange
from github_activity_tracker.testing import git_history as made
from github_activity_tracker.testing import github_routes as routes
from github_activity_tracker.testing.git_server import GitHttpServer
from github_activity_tracker.tests.conftest import TOKEN, run
from github_activity_tracker.tests.snapshots import wipe

pytestmark = pytest.mark.django_db

COMMIT_FIELDS = (
    "repository__full_name",
    "sha",
    "message",
    "author__name",
    "author__email",
    "committer__name",
    "committer__email",
    "author_account__github_id",
    "committer_account__github_id",
    "authored_at",
    "committed_at",
    "additions",
    "deletions",
)
FILE_FIELDS = (
    "commit__sha",
    "filename",
    "previous_filename",
    "status",
    "additions",
    "deletions",
    "changes",
)


def stored_rows() -> dict[str, list]:
    """Every commit, file change and person stored, field by field."""
    return {
        "commits": sorted(Commit.objects.values_list(*COMMIT_FIELDS), key=repr),
        "files": sorted(FileChange.objects.values_list(*FILE_FIELDS), key=repr),
        "identities": sorted(GitIdentity.objects.values_list("name", "email")),
        "accounts": sorted(
            GitHubAccount.objects.values_list("github_id", "login", "account_type", "avatar_url")
        ),
    }


@pytest.fixture(scope="module")
def made_once(tmp_path_factory) -> made.History:
    return made.make_history(tmp_path_factory.mktemp("history"))


@pytest.fixture
def history(made_once, tmp_path) -> made.History:
    """A copy of the history of this module for each test, which may rewrite it."""
    root = tmp_path / "history"
    shutil.copytree(made_once.work.parent, root, symlinks=True)
    copy = made.History(work=root / "work", remotes=root / "remotes")
    made.git(copy.work, "remote", "set-url", "origin", str(copy.remote))
    return copy


@pytest.fixture
def served(settings, fixture_server, tmp_path, history):
    point_github_at(settings, fixture_server, token=TOKEN, workspace=tmp_path / "workspace")
    settings.GITHUB_ACTIVITY_REPOS = [made.REPO]
    settings.HTTP_MAX_ATTEMPTS = 1
    settings.GITHUB_ACTIVITY_COMMITS_FROM = "git"
    settings.GITHUB_GIT_URL = str(history.remotes)
    made.add_routes(fixture_server, history)
    return fixture_server


def files_of(commit: Commit):
    return FileChange.objects.filter(commit=commit)


def detail_requests(server) -> int:
    return sum(
        1 for r in server.requests if r.target.split("?")[0].startswith(f"{made.BASE}/commits/")
    )


def test_git_and_api_paths_store_the_same_rows(served, settings) -> None:
    settings.GITHUB_ACTIVITY_COMMITS_FROM = "api"
    api_run, _ = run()
    from_api = stored_rows()
    assert api_run.status == "succeeded"
    wipe()
    served.requests.clear()

    settings.GITHUB_ACTIVITY_COMMITS_FROM = "git"
    git_run, out = run()

    assert git_run.status == "succeeded", out
    assert stored_rows() == from_api
    assert detail_requests(served) == 0  # no API request for commit data
    assert git_run.counters["api_requests"] < api_run.counters["api_requests"]
    commits = {c.message.split("\n")[0]: c for c in Commit.objects.all()}
    assert len(commits) == 8
    assert files_of(commits["Add 400 files"]).count() == 400
    assert files_of(commits["Nothing changed"]).count() == 0
    names = {c.author.name for c in commits.values() if c.author is not None}
    assert "Jos\u00e9 M\u00fcller" in names  # ISO-8859-1 with git's encoding header
    assert "Bj\ufffdrn \ufffd" in names  # bytes that are not UTF-8 at all
    assert files_of(commits["Merge side"]).get().filename == "docs/side.md"
    renamed = files_of(commits["Rename the parser"]).get()
    assert (renamed.status, renamed.previous_filename, renamed.additions) == (
        "renamed",
        "src/parser.cpp",
        1,
    )
    removed = files_of(commits["Drop the logo"]).get()
    assert (removed.filename, removed.status, removed.changes) == ("logo.png", "removed", 0)
    assert commits["Start"].message == "Start\n\nWith a body paragraph."
    assert Commit.objects.filter(author_account__login="sdarwin").count() == 2


def test_second_run_reads_only_new_commits_and_links_them_by_compare(served, history) -> None:
    run()
    old = history.head()
    history.write("src/new.cpp", b"int n;\n")
    new = history.commit("One more", who=made.SAM, when=1_700_001_000)
    history.push()
    made.add_routes(served, history)
    made.add_compare(served, history, old)

    second, out = run()

    assert second.status == "succeeded", out
    assert Commit.objects.filter(sha=new, author_account__login="sdarwin").exists()
    assert Commit.objects.count() == 9
    assert get_checkpoint(collector=source.NAME, source_key=f"{made.REPO}:commits") == {"head": new}
    assert served.hits("GET", f"{made.BASE}/compare/{old}...{new}?page=1&per_page=100") == 1

    third, _ = run()
    assert third.counters.get("created", 0) == third.counters.get("updated", 0) == 0


def test_a_force_pushed_branch_is_read_again_and_the_run_goes_on(served, history) -> None:
    run()
    made.git(history.work, "reset", "-q", "--hard", "HEAD~2")
    history.write("rewritten.txt", b"new\n")
    new = history.commit("Rewritten", when=1_700_002_000)
    history.push(force=True)
    made.add_routes(served, history)

    second, out = run()

    assert second.status == "succeeded"
    assert f"{made.REPO}: develop was force-pushed; reading it again" in out
    assert second.counters["force_pushed"] == 1
    assert Commit.objects.filter(sha=new).exists()
    assert get_checkpoint(collector=source.NAME, source_key=f"{made.REPO}:commits") == {"head": new}


def test_an_unreachable_mirror_is_recorded_and_other_repositories_are_collected(
    served, settings
) -> None:
    gone = "boostorg/quiet"  # GitHub still lists it; its git repository is not there
    routes.add_quiet_repository(served, gone, github_id=99)
    settings.GITHUB_ACTIVITY_REPOS = [gone, made.REPO]

    first, out = run()

    assert first.status == "succeeded"
    assert first.counters["git_failed"] == 1
    assert f"{gone}: commits not read this run ({gone}: git fetch failed" in out
    assert Commit.objects.filter(repository__full_name=made.REPO).count() == 8
    assert get_checkpoint(collector=source.NAME, source_key=f"{gone}:commits") is None


def test_no_network_for_git_is_recorded_in_one_line_without_the_token(served, settings) -> None:
    settings.GITHUB_GIT_URL = "http://127.0.0.1:9"  # the discard port: connection refused

    first, out = run()

    assert first.counters["git_failed"] == 1
    [line] = [line for line in out.splitlines() if "commits not read" in line]
    assert "127.0.0.1" in line
    assert TOKEN not in out
    assert Commit.objects.count() == 0


def test_a_half_written_mirror_is_repaired_on_the_next_run(served, history, settings) -> None:
    run()
    mirror = GitMirror(made.REPO)
    (mirror.path / "refs" / "heads" / "develop.lock").write_text("stale")
    (mirror.path / "packed-refs.lock").write_text("stale")
    (mirror.path / "objects" / "pack" / "tmp_pack_x").write_bytes(b"half a pack")
    leftover = mirror.path.with_name(mirror.path.name + ".partial-dead")
    leftover.mkdir()
    old = history.head()
    history.write("after.txt", b"after\n")
    new = history.commit("After the kill", when=1_700_003_000)
    history.push()
    made.add_routes(served, history)
    made.add_compare(served, history, old)

    second, out = run()

    assert second.status == "succeeded", out
    assert Commit.objects.filter(sha=new).exists()
    assert not leftover.exists()
    assert not list(mirror.path.rglob("*.lock"))


def test_a_mirror_git_cannot_read_is_cloned_again(served, history) -> None:
    run()
    mirror = GitMirror(made.REPO)
    for pack in (mirror.path / "objects").rglob("*"):
        if pack.is_file():
            pack.unlink()
    Commit.objects.all().delete()
    wipe()

    second, out = run()

    assert second.status == "succeeded", out
    assert Commit.objects.count() == 8


@pytest.mark.django_db(transaction=True)
def test_a_clone_killed_half_way_is_cloned_again(served, settings, tmp_path) -> None:
    """kill -9 of the run (and its git) while the first clone is being written."""
    big = tmp_path / "big"
    remote = big / f"{made.REPO}.git"
    remote.parent.mkdir(parents=True)
    made.git(remote.parent, "init", "-q", "--bare", "-b", "develop", remote.name)
    stream = b"".join(
        b"commit refs/heads/develop\n"
        + f"committer A <a@example.org> {1_700_000_000 + n} +0000\ndata 3\nc{n % 10}\n".encode()
        + f"M 100644 inline f{n % 50}.txt\ndata {len(str(n)) + 1}\n{n}\n\n".encode()
        for n in range(5_000)
    )
    subprocess.run(["git", "fast-import", "--quiet"], cwd=remote, input=stream, check=True)
    env = {
        "GITHUB_API_URL": served.base_url,
        "GITHUB_TOKENS": TOKEN,
        "GITHUB_TOKEN": "",
        "GITHUB_ACTIVITY_REPOS": made.REPO,
        "GITHUB_ACTIVITY_COMMITS_FROM": "git",
        "GITHUB_GIT_URL": str(big),
        "WORKSPACE_DIR": settings.WORKSPACE_DIR,
        "HTTP_MAX_ATTEMPTS": "1",
        "LOG_LEVEL": "warning",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_github_activity_tracker"],
        cwd=ROOT,
        env=manage_env(**env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    mirrors = Path(settings.WORKSPACE_DIR) / "git" / "boostorg"
    deadline = time.monotonic() + 120
    while not list(mirrors.glob("*.partial-*")):
        assert time.monotonic() < deadline, "the clone never started"
        assert process.poll() is None, "the run ended before its clone was seen"
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    while lock_key("command:run_github_activity_tracker") in held_lock_keys():
        time.sleep(0.05)
    assert not (mirrors / "git-history.git").exists()

    settings.GITHUB_GIT_URL = str(big)
    made.add_routes(served, made.History(work=remote, remotes=big), details=False)
    second, out = run()

    assert second.status == "succeeded", out
    assert Commit.objects.count() == 5_000
    assert not list(mirrors.glob("*.partial-*"))


def test_a_private_repository_is_fetched_with_the_token_only_in_gits_environment(
    served, settings, history
) -> None:
    with GitHttpServer(history.remotes, token=TOKEN) as server:
        settings.GITHUB_GIT_URL = server.base_url
        first, out = run()
        settings.GITHUB_TOKENS = ["ghp_" + "Wrong123" * 5]
        Commit.objects.all().delete()
        wipe()
        refused, refused_out = run()

    assert first.status == "succeeded", out
    assert Commit.objects.count() == 0  # the second run could not fetch
    assert server.refused >= 1  # challenged first, as GitHub does
    assert any("git-upload-pack" in path for path in server.authorized)
    mirror = GitMirror(made.REPO)
    stored = b"".join(p.read_bytes() for p in mirror.path.rglob("*") if p.is_file())
    assert TOKEN.encode() not in stored
    assert TOKEN not in out
    assert refused.counters["git_failed"] == 1
    assert f"{made.REPO}: commits not read this run" in refused_out
    assert "Wrong123" not in refused_out
    helper = subprocess.run(
        ["git", "credential", "fill"],
        input=b"protocol=https\nhost=github.example\n\n",
        env=git_environment(token=TOKEN),
        capture_output=True,
        check=True,
    )
    assert f"password={TOKEN}".encode() in helper.stdout


def test_git_chosen_without_a_git_binary_is_one_line(settings, monkeypatch) -> None:
    settings.GITHUB_ACTIVITY_COMMITS_FROM = "git"
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(CommandError) as caught:
        call_command("run_github_activity_tracker", "--repo", "boostorg/json")
    assert str(caught.value) == (
        "GITHUB_ACTIVITY_COMMITS_FROM=git but no git binary is on PATH; "
        "install git or set GITHUB_ACTIVITY_COMMITS_FROM=api"
    )
    assert not CollectorRun.objects.filter(status="succeeded").exists()


def test_a_commit_the_database_refuses_is_quarantined_and_retried_from_the_mirror(
    served, history
) -> None:
    history.write("/".join(["d" * 230] * 5) + "/f.txt", b"x\n")  # longer than the column
    bad = history.commit("A path too long to store", when=1_700_004_000)
    history.push()
    made.add_routes(served, history)

    first, out = run()

    assert first.status == "succeeded", out
    assert first.counters["quarantined"] == 1
    assert Commit.objects.count() == 8
    assert not Commit.objects.filter(sha=bad).exists()
    kept = QuarantinedItem.objects.get(scope=f"{made.REPO}:git_commits")
    assert (kept.item_key, kept.payload, kept.url) == (bad, {"sha": bad}, f"git:{made.REPO}")

    run()  # the next run reads it again from the mirror; still too long

    assert QuarantinedItem.objects.get(scope=f"{made.REPO}:git_commits").attempts == 2
