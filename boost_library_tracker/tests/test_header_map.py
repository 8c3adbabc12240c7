"""The header map: ownership of nested and umbrella headers, the selector, the backfill."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from boost_library_tracker import selectors
from boost_library_tracker.headers import owner_of
from boost_library_tracker.models import LibraryHeader
from boost_library_tracker.parsers import parse_gitmodules
from boost_library_tracker.testing import github_routes as routes
from core.models import CollectorRun
from core.testing.fixture_server import point_github_at

pytestmark = pytest.mark.django_db

TOKEN = "ghp_" + "Head1234" * 5
# numeric_conversion has no recorded libraries.json: this one is ours, in the file's shape.
NUMERIC_CONVERSION = json.dumps(
    {
        "key": "numeric/conversion",
        "name": "Numeric Conversion",
        "authors": ["Fernando Cacciola"],
        "description": "Optimized Policy-based Numeric Conversions.",
        "category": ["Math", "Miscellaneous"],
        "maintainers": ["Fernando Cacciola <fernando_cacciola -at- ciudad.com.ar>"],
    }
)


@pytest.fixture
def github(settings, fixture_server, tmp_path):
    point_github_at(settings, fixture_server, token=TOKEN, workspace=tmp_path / "workspace")
    routes.add_gitmodules(fixture_server, "boost-1.86.0")
    routes.add_release_list(fixture_server)
    routes.add_header_trees(fixture_server)
    return fixture_server


def collect_catalogue(server) -> str:
    routes.queue_catalogue_run(server, texts={"numeric_conversion": NUMERIC_CONVERSION})
    out = StringIO()
    call_command("run_boost_library_tracker", "--version", "boost-1.86.0", stdout=out)
    return out.getvalue()


def test_the_recorded_superproject_nests_numeric_conversion_in_a_repository_of_its_own():
    text = (routes.GITMODULES_1_86).read_text(encoding="utf-8")
    [numeric] = [s for s in parse_gitmodules(text, source="test") if s.name == "numeric_conversion"]
    assert (numeric.path, numeric.repo_name) == ("libs/numeric/conversion", "numeric_conversion")


@pytest.mark.parametrize(
    ("header", "owner"),
    [
        ("boost/numeric/conversion/cast.hpp", "numeric/conversion"),  # nested library
        ("boost/numeric/conversion/detail/converter.hpp", "numeric/conversion"),
        ("boost/json.hpp", "json"),  # umbrella header
        ("boost/json/detail/impl/string_impl.ipp", "json"),
        ("boost/algorithm/minmax.hpp", "algorithm/minmax"),  # a nested library's umbrella
        ("boost/algorithm/string.hpp", "algorithm/string"),
        ("boost/algorithm/string/detail/trim.hpp", "algorithm/string"),
        ("boost/algorithm/cxx11/all_of.hpp", "algorithm"),  # no sub-library names it
        ("boost/utility.hpp", "utility"),
        ("boost/call_traits.hpp", "utility/call_traits"),  # nested, at the top of boost/
        ("boost/utility/string_view.hpp", "utility/string_view"),
        ("boost/detail/call_traits.hpp", "utility"),
    ],
)
def test_catalogue_run_maps_each_header_to_its_library(github, header, owner) -> None:
    collect_catalogue(github)
    assert selectors.header_map().library_of(header) == owner  # type: ignore[union-attr]
    found = selectors.library_for_header(header, version="boost-1.86.0")
    assert found is not None
    assert found.key == owner


def test_a_header_the_release_does_not_ship_is_placed_by_its_folder_or_not_at_all(github) -> None:
    collect_catalogue(github)
    headers = selectors.header_map(version="boost-1.86.0")
    assert headers is not None
    assert headers.library_of("boost/json/basic_parser_new.hpp") == "json"
    assert headers.library_of("boost/numeric/conversion/impl/x.hpp") == "numeric/conversion"
    # boost/ itself and boost/algorithm/ hold headers of several libraries: no guess.
    assert headers.library_of("boost/not_a_header.hpp") is None
    assert headers.library_of("boost/algorithm/new_algorithm.hpp") is None
    assert selectors.library_for_header("boost/asio.hpp") is None  # no tree recorded


def test_backfill_maps_stored_releases_without_a_map_and_then_has_nothing_to_do(github) -> None:
    collect_catalogue(github)
    mapped = LibraryHeader.objects.count()
    LibraryHeader.objects.all().delete()

    out = StringIO()
    call_command("backfill_boost_library_headers", stdout=out)
    assert LibraryHeader.objects.count() == mapped
    assert "boost-1.86.0: 23 headers from 4 repositories" in out.getvalue()
    run = CollectorRun.objects.order_by("-id")[0]
    assert (run.collector, run.status) == ("boost_library_headers", "succeeded")

    out = StringIO()
    call_command("backfill_boost_library_headers", stdout=out)
    assert "every stored release has its header map" in out.getvalue()

    call_command("backfill_boost_library_headers", "--version", "all", stdout=StringIO())
    assert LibraryHeader.objects.count() == mapped  # a re-read writes no twins


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("latest", "--version 'latest' is not valid; use missing, all or a stable tag"),
        ("boost-1.99.0", "--version boost-1.99.0: that release's catalogue is not stored"),
    ],
)
def test_backfill_refuses_a_bad_version_in_one_line(github, value, message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("backfill_boost_library_headers", "--version", value, stdout=StringIO())


def test_a_truncated_tree_fails_as_validation_naming_the_url_and_keeps_the_catalogue(
    github,
) -> None:
    collect_catalogue(github)
    LibraryHeader.objects.all().delete()
    github.clear("GET", "/repos/boostorg/json/git/trees/boost-1.86.0?recursive=1")
    github.add(
        "GET",
        "/repos/boostorg/json/git/trees/boost-1.86.0?recursive=1",
        body={"sha": "x", "tree": [], "truncated": True},
    )
    with pytest.raises(ValueError, match=r"git/trees/boost-1.86.0\?recursive=1.*truncated"):
        call_command("backfill_boost_library_headers", stdout=StringIO())
    run = CollectorRun.objects.order_by("-id")[0]
    assert run.failure_category == "validation"
    assert not LibraryHeader.objects.exists()


def test_owner_of_leaves_out_a_header_no_library_of_a_shared_repository_names() -> None:
    keys = ["functional/factory", "functional/forward"]
    assert owner_of("boost/functional/factory.hpp", repo_name="functional", keys=keys) == (
        "functional/factory"
    )
    assert owner_of("boost/functional/other.hpp", repo_name="functional", keys=keys) is None
