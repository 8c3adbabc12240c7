"""Fixtures of the usage tests: a stored catalogue with its header map, and the loopback
search server (`boost_usage_tracker.testing.search_server`) with the settings at it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from boost_library_tracker import services as catalogue
from boost_library_tracker.items import HeaderItem, LibraryItem, LibraryMetaItem, VersionItem
from boost_usage_tracker.testing.search_server import SearchServer, make_corpus
from core.models import CollectorRun
from core.testing.clock import FakeClock
from core.testing.fixture_server import point_github_at
from core.testing.manage import start_on_test_db

TOKEN = "ghp_" + "Usage123" * 5
VERSION = "boost-1.86.0"
# library key → (repository, headers at boost-1.86.0)
LIBRARIES = {
    "asio": ("asio", ["boost/asio.hpp", "boost/asio/ip/tcp.hpp"]),
    "json": ("json", ["boost/json.hpp", "boost/json/value.hpp"]),
    "algorithm/string": (
        "algorithm",
        ["boost/algorithm/string.hpp", "boost/algorithm/string/trim.hpp"],
    ),
    "numeric/conversion": ("numeric_conversion", ["boost/numeric/conversion/cast.hpp"]),
    "utility/string_view": ("utility", ["boost/utility/string_view.hpp"]),
    "utility/call_traits": ("utility", ["boost/call_traits.hpp"]),
}


def store_catalogue() -> None:
    """Boost 1.86.0 with six libraries and their headers, through the catalogue's services."""
    catalogue.upsert_versions(items=[VersionItem(name=VERSION, major=1, minor=86, patch=0)])
    catalogue.upsert_libraries(
        items=[
            LibraryItem(key=key, name=key, repo_name=repo, superproject_path=f"libs/{repo}")
            for key, (repo, _) in LIBRARIES.items()
        ]
    )
    catalogue.upsert_library_versions(
        version=VERSION, items=[LibraryMetaItem(key=key, name=key) for key in LIBRARIES]
    )
    catalogue.upsert_library_headers(
        version=VERSION,
        items=[
            HeaderItem(path=path, library_key=key)
            for key, (_, paths) in LIBRARIES.items()
            for path in paths
        ],
    )


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


def start_server(settings, tmp_path, corpus, **kwargs) -> SearchServer:
    server = SearchServer(corpus, **kwargs)
    server.start()
    point_github_at(settings, server, token=TOKEN, workspace=tmp_path / "workspace")
    settings.HTTP_MAX_ATTEMPTS = 2
    return server


@pytest.fixture
def big_server(settings, tmp_path, fake_clock):
    """12,000 files in 400 repositories, 10 searches a minute on the fake clock."""
    store_catalogue()
    server = start_server(
        settings, tmp_path, make_corpus(files=12_000, repos=400), clock=fake_clock
    )
    yield server
    server.stop()


@pytest.fixture
def search_server(settings, tmp_path, fake_clock):
    """2,500 files in 100 repositories (more than one query may return), 10 a minute."""
    store_catalogue()
    server = start_server(settings, tmp_path, make_corpus(files=2_500, repos=100), clock=fake_clock)
    yield server
    server.stop()


@pytest.fixture
def small_server(settings, tmp_path, fake_clock):
    """300 files in 30 repositories: one slice, for the refresh and gone tests."""
    store_catalogue()
    server = start_server(settings, tmp_path, make_corpus(files=300, repos=30), clock=fake_clock)
    yield server
    server.stop()


def start_search_child(server: SearchServer, tmp_path):
    """`run_boost_usage_tracker --task search` in a child process (real time) at `server`."""
    return start_on_test_db(
        "run_boost_usage_tracker",
        "--task",
        "search",
        GITHUB_API_URL=server.base_url,
        GITHUB_TOKENS=TOKEN,
        GITHUB_TOKEN="",
        WORKSPACE_DIR=str(tmp_path / "workspace"),
        HTTP_BACKOFF_BASE_SECONDS="0",
        HTTP_BACKOFF_MAX_SECONDS="0",
        LOG_LEVEL="warning",
    )


def run(*args: str, clock=None) -> tuple[CollectorRun, str]:
    """Run the command as an operator would (with the test's clock); ledger row, stdout."""
    out = StringIO()
    call_command("run_boost_usage_tracker", *args, stdout=out, clock=clock)
    return CollectorRun.objects.order_by("-id")[0], out.getvalue()
