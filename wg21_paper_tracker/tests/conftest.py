"""The `wg21` fixture: the loopback server answering as open-std.org and wg21.link do,
from this app's own samples (see fixtures/PROVENANCE.md), with the settings pointed
at it; `child_env`, the same settings for a child process; and `run()`."""

from __future__ import annotations

import hashlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from core.models import CollectorRun
from core.testing.fixture_server import FixtureServer

FIXTURES = Path(__file__).parent / "fixtures"
PAPERS = "/jtc1/sc22/wg21/docs/papers/"
INDEX = "/index.json"
OPEN_STD = "https://www.open-std.org"

PAGES = {
    PAPERS: "papers__index.html",
    f"{PAPERS}2004/": "papers__2004.html",
    f"{PAPERS}2023/": "papers__2023.html",
    f"{PAPERS}2024/": "papers__2024.html",
}
DOCUMENTS = {
    f"{PAPERS}2023/p2300r7.html": ("documents__p2300r7.html", "text/html; charset=utf-8"),
    f"{PAPERS}2023/n4950.pdf": ("documents__n4950.pdf", "application/pdf"),
}


def etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


def sample(name: str) -> bytes:
    return (FIXTURES / "open-std" / name).read_bytes()


def add_page(server: FixtureServer, target: str, body: bytes, *, kind: str = "text/html") -> None:
    server.add(
        "GET",
        target,
        headers={"content-type": f"{kind}; charset=utf-8", "etag": etag(body)},
        body=body,
    )


def index_body(server: FixtureServer, name: str = "wg21-link/index.json") -> bytes:
    """The index with its open-std.org links pointed at the server, as load_octokit does."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return text.replace(OPEN_STD, server.base_url).encode()


def add_routes(server: FixtureServer) -> None:
    for target, name in PAGES.items():
        add_page(server, target, sample(name))
    add_page(server, INDEX, index_body(server), kind="application/json")
    for target, (name, kind) in DOCUMENTS.items():
        server.add("GET", target, headers={"content-type": kind}, body=sample(name))


def point_at(settings, server: FixtureServer, workspace: Path) -> None:
    settings.WG21_PAPERS_URL = server.base_url + PAPERS
    settings.WG21_INDEX_URL = server.base_url + INDEX
    settings.WORKSPACE_DIR = str(workspace)
    settings.HTTP_BACKOFF_BASE_SECONDS = 0
    settings.HTTP_BACKOFF_MAX_SECONDS = 0
    settings.HTTP_MAX_ATTEMPTS = 2


@pytest.fixture
def wg21(settings, fixture_server, tmp_path) -> FixtureServer:
    point_at(settings, fixture_server, tmp_path / "workspace")
    add_routes(fixture_server)
    return fixture_server


@pytest.fixture
def child_env(wg21, tmp_path) -> dict[str, str]:
    """The `wg21` fixture's settings as a child process's environment."""
    return {
        "WG21_PAPERS_URL": wg21.base_url + PAPERS,
        "WG21_INDEX_URL": wg21.base_url + INDEX,
        "WORKSPACE_DIR": str(tmp_path / "workspace"),
        "HTTP_BACKOFF_BASE_SECONDS": "0",
        "HTTP_BACKOFF_MAX_SECONDS": "0",
        "HTTP_MAX_ATTEMPTS": "2",
        "HTTP_TIMEOUT_SECONDS": "2",
        "LOG_LEVEL": "warning",
    }


def run(*args: str) -> tuple[CollectorRun, str]:
    """Run the command as an operator would; return its ledger row and its stdout."""
    out = StringIO()
    call_command("run_wg21_paper_tracker", *args, stdout=out)
    return CollectorRun.objects.order_by("-id")[0], out.getvalue()
