"""Parsing recorded code search answers, and Boost versions from build files."""

from __future__ import annotations

from pathlib import Path

import pytest

from boost_usage_tracker.parsers import headers_in, parse_search_page
from boost_usage_tracker.testing.search_server import recorded_body
from boost_usage_tracker.versions import from_cmake, from_conan, from_vcpkg, from_version_check
from core.http import MalformedResponse

BUILD_FILES = Path(__file__).resolve().parent / "fixtures" / "build_files"
URL = "https://api.github.com/search/code?q=x"


def build_file(name: str) -> str:
    return (BUILD_FILES / name).read_text(encoding="utf-8")


def test_a_recorded_text_match_answer_gives_its_hits_and_fragments() -> None:
    page = parse_search_page(recorded_body("GitHub_search_code_with_text_match.json"), url=URL)
    assert (page.total_count, page.incomplete, page.received) == (3, False, 3)
    first = page.hits[0]
    assert (first.repo_id, first.full_name, first.path) == (
        1362490,
        "kennethreitz/requests",
        "requests/adapters.py",
    )
    assert first.node_id == ""  # answers of 2017 had no node_id
    assert "HTTPAdapter" in first.fragment
    assert first.headers == ()  # Python code includes no Boost header


def test_the_older_envelope_without_incomplete_results_reads_as_complete() -> None:
    page = parse_search_page(recorded_body("searches_code.json"), url=URL)
    assert page.total_count == 6
    assert page.incomplete is False
    assert all(hit.full_name.startswith("github/") for hit in page.hits)


def test_headers_are_read_from_include_lines_only_once_each() -> None:
    text = '#include <boost/asio.hpp>\n# include "boost/json.hpp"\n#include <boost/asio.hpp>\n'
    text += "// see boost/not_included.hpp\n#include <boost/../etc/passwd>\n#include <vector>"
    assert headers_in(text) == ("boost/asio.hpp", "boost/json.hpp")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"incomplete_results": False, "items": []}, "total_count"),
        ({"total_count": 1, "items": {"path": "x"}}, "items"),
        ({"total_count": 1, "items": [{"path": "a.cpp"}]}, "items[0].repository"),
        ({"total_count": 1, "items": [{"path": "a.cpp", "repository": {"id": "7"}}]}, "id"),
    ],
)
def test_a_wrong_shape_names_the_url_and_the_field(body, field) -> None:
    with pytest.raises(MalformedResponse, match=r"api\.github\.com/search/code") as caught:
        parse_search_page(body, url=URL)
    assert field in str(caught.value)


def test_cmake_find_package_gives_a_minimum_or_an_exact_version() -> None:
    minimum = from_cmake(build_file("CMakeLists.minimum.txt"), path="CMakeLists.txt")
    assert minimum is not None
    assert (minimum.version, minimum.constraint) == ("1.74", ">=")
    assert minimum.evidence == "find_package(Boost 1.74 REQUIRED COMPONENTS system thread)"
    exact = from_cmake(build_file("CMakeLists.exact.txt"), path="CMakeLists.txt")
    assert exact is not None
    assert (exact.version, exact.constraint) == ("1.83.0", "==")


def test_a_version_through_a_cmake_variable_is_not_evidence() -> None:
    assert from_cmake(build_file("CMakeLists.variable.txt"), path="CMakeLists.txt") is None


def test_vcpkg_gives_an_override_pin_before_a_minimum() -> None:
    minimum = from_vcpkg(build_file("vcpkg.json"), path="vcpkg.json")
    assert minimum is not None
    assert (minimum.version, minimum.constraint) == ("1.84.0", ">=")
    assert "boost-beast" in minimum.evidence
    pinned = from_vcpkg(build_file("vcpkg.overrides.json"), path="vcpkg.json")
    assert pinned is not None
    assert (pinned.version, pinned.constraint) == ("1.82.0", "==")
    assert from_vcpkg("not json {", path="vcpkg.json") is None
    assert from_vcpkg('{"dependencies": ["boost-asio"]}', path="vcpkg.json") is None


def test_conan_references_give_exact_versions_or_a_range_lower_bound() -> None:
    text = from_conan(build_file("conanfile.txt"), path="conanfile.txt")
    assert text is not None
    assert (text.version, text.constraint, text.evidence) == (
        "1.83.0",
        "==",
        "boost/1.83.0",
    )
    ranged = from_conan(build_file("conanfile.range.txt"), path="conanfile.txt")
    assert ranged is not None
    assert (ranged.version, ranged.constraint) == ("1.80", ">=")
    recipe = from_conan(build_file("conanfile.py.txt"), path="conanfile.py")
    assert recipe is not None
    assert (recipe.version, recipe.evidence) == (
        "1.82.0",
        'self.requires("boost/1.82.0")',
    )


def test_a_boost_version_check_reads_as_x_y_z() -> None:
    found = from_version_check(build_file("version_check.hpp"), path="include/compat.hpp")
    assert found is not None
    assert (found.version, found.constraint, found.evidence) == (
        "1.81.0",
        ">=",
        "#if BOOST_VERSION >= 108100",
    )
