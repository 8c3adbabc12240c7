"""Parsers against the recorded Boost sources, quirk by quirk."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from boost_library_tracker.items import PersonName, SubmoduleItem
from boost_library_tracker.parsers import (
    library_items,
    parse_gitmodules,
    parse_libraries_json,
    parse_maintainer,
    parse_release_list,
    parse_version_tag,
)

FIXTURES = Path(__file__).parent / "fixtures"
SUPERPROJECT = FIXTURES / "superproject"
LIBRARIES = FIXTURES / "libraries_json"
ALL_LIBRARIES_JSON = sorted(LIBRARIES.rglob("*.json"))


def _gitmodules(ref: str) -> list[SubmoduleItem]:
    path = SUPERPROJECT / f"boostorg-boost_{ref}" / ".gitmodules"
    return parse_gitmodules(path.read_text(encoding="utf-8"), source=str(path))


def _libraries(name: str):
    path = LIBRARIES / name / "meta" / "libraries.json"
    return parse_libraries_json(path.read_text(encoding="utf-8"), source=str(path))


@pytest.mark.parametrize(("ref", "sections"), [("master", 172), ("boost-1.86.0", 166)])
def test_every_submodule_section_is_read(ref, sections) -> None:
    submodules = _gitmodules(ref)
    assert len(submodules) == sections
    assert len({s.name for s in submodules}) == sections


def test_tools_and_more_are_not_libraries() -> None:
    by_name = {s.name: s for s in _gitmodules("master")}
    assert not by_name["build"].is_library  # tools/build
    assert not by_name["quickbook"].is_library
    assert not by_name["more"].is_library  # path "more", at the top level
    assert by_name["system"].is_library
    libraries = [s for s in by_name.values() if s.is_library]
    assert all(s.path.startswith("libs/") for s in libraries)
    assert len(by_name) - len(libraries) == 14  # 13 tools/* and more


def test_nested_paths_and_names_that_differ_from_the_directory() -> None:
    by_name = {s.name: s for s in _gitmodules("master")}
    conversion = by_name["numeric_conversion"]
    assert conversion == SubmoduleItem(
        name="numeric_conversion",
        path="libs/numeric/conversion",
        url="../numeric_conversion.git",
        repo_name="numeric_conversion",
    )
    for name in ("interval", "odeint", "ublas"):
        assert by_name[name].path == f"libs/numeric/{name}"
        assert by_name[name].repo_name == name


def test_versions_differ_in_their_submodules() -> None:
    master = {s.name for s in _gitmodules("master")}
    release = {s.name for s in _gitmodules("boost-1.86.0")}
    assert {"decimal", "hash2", "parser"} <= master - release
    assert "compatibility" in release - master


def test_gitmodules_comments_other_sections_and_absolute_urls() -> None:
    text = (
        "# a comment\n; another\n[core]\n\tbare = false\n"
        '[submodule "x"]\n\tpath = libs/x\n\turl = https://github.com/boostorg/x.git\n'
    )
    assert parse_gitmodules(text, source="t") == [
        SubmoduleItem(
            name="x", path="libs/x", url="https://github.com/boostorg/x.git", repo_name="x"
        )
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[submodule "x"]\n\turl = ../x.git\n', "t: submodule 'x' has no 'path'"),
        ('[submodule "x"]\n\tpath = libs/x\n', "t: submodule 'x' has no 'url'"),
        ('[submodule "x"]\n\tgarbage\n', "t: line 2 is not git-config syntax"),
    ],
)
def test_bad_gitmodules_name_the_file_and_field(text, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_gitmodules(text, source="t")


@pytest.mark.parametrize("path", ALL_LIBRARIES_JSON, ids=lambda p: str(p.relative_to(LIBRARIES)))
def test_every_recorded_libraries_json_parses(path: Path) -> None:
    items = parse_libraries_json(path.read_text(encoding="utf-8"), source=str(path))
    assert items
    for item in items:
        assert item.key
        assert item.name
        assert all(a.name for a in item.authors)
        assert all(m.name for m in item.maintainers)


def test_an_array_file_gives_sub_libraries() -> None:
    items = _libraries("algorithm")
    assert [i.key for i in items] == ["algorithm", "algorithm/minmax", "algorithm/string"]
    minmax = items[1]
    assert minmax.documentation == "minmax/"
    assert minmax.authors == (PersonName(name="Hervé Brönnimann"),)
    assert minmax.maintainers == (PersonName(name="Herve Bronnimann", email="hbr@poly.edu"),)
    assert items[2].categories == ("Algorithms", "String")


def test_a_single_object_file_gives_one_library() -> None:
    (json_lib,) = _libraries("json")
    assert json_lib.key == "json"
    assert json_lib.cxxstd == "11"
    assert json_lib.authors == (PersonName("Vinnie Falco"), PersonName("Krystian Stasiowski"))
    assert json_lib.maintainers == (PersonName("Dmitry Arkhipov", "grisumbras@yandex.ru"),)
    assert json_lib.categories == ("Containers", "Data", "IO")


def test_authors_as_empty_string_or_single_string() -> None:
    by_key = {i.key: i for i in _libraries("utility")}
    assert by_key["utility/result_of"].authors == ()
    assert by_key["utility/string_view"].authors == (PersonName("Marshall Clow"),)
    # One credit line, never split on commas.
    assert by_key["utility/call_traits"].authors == (
        PersonName("John Maddock, Howard Hinnant, et al"),
    )
    assert by_key["utility"].maintainers == ()


def test_maintainer_without_email() -> None:
    (leaf,) = _libraries("leaf")
    assert leaf.maintainers == (PersonName(name="Emil Dotchevski", email=""),)


def test_deprecated_status_std_list_and_missing_cxxstd() -> None:
    (tr1,) = _libraries("tr1")
    assert tr1.status == "deprecated"
    assert tr1.std == ("tr1",)
    assert tr1.cxxstd == ""
    (beast,) = _libraries("beast")
    assert beast.std == ("C++11",)


def test_boost_version_modules_and_escaped_non_ascii() -> None:
    path = LIBRARIES / "website-v2-examples" / "libraries_multiple.json"
    by_key = {i.key: i for i in parse_libraries_json(path.read_text("utf-8"), source="m")}
    assert by_key["utility/swap"].first_boost_version == "1.38.0"
    assert by_key["bind/ref"].modules is True
    assert by_key["core"].modules is False
    assert by_key["utility/enable_if"].authors[0].name == "Jaakko Järvi"  # from \u00e4
    assert by_key["bind/ref"].authors[0].name == "Jaako Järvi"  # literal UTF-8


def test_trailing_space_in_description_is_trimmed() -> None:
    (spirit,) = _libraries("spirit")
    assert spirit.description.endswith("C++.")
    assert [m.email for m in spirit.maintainers] == [
        "joel@boost-consulting.com",
        "hartmut.kaiser@gmail.com",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Peter Dimov <pdimov -at- gmail.com>", PersonName("Peter Dimov", "pdimov@gmail.com")),
        (
            "Vinnie Falco <vinnie.falco@gmail.com>",
            PersonName("Vinnie Falco", "vinnie.falco@gmail.com"),
        ),
        ("A B <a -at- b -dot- org>", PersonName("A B", "a@b.org")),
        ("A  B <A -AT- Example.COM", PersonName("A B", "a@example.com")),  # no closing >
        ("A B <not an address>", PersonName("A B", "")),
        ("A B <>", PersonName("A B", "")),
        ("Emil Dotchevski", PersonName("Emil Dotchevski", "")),
    ],
)
def test_maintainer_rule(text, expected) -> None:
    assert parse_maintainer(text) == expected


def test_number_cxxstd_string_category_and_empty_entries() -> None:
    text = '{"key": "k", "name": "K", "cxxstd": 14, "category": "IO", "maintainers": ["", "X"]}'
    (item,) = parse_libraries_json(text, source="s")
    assert (item.cxxstd, item.categories, item.maintainers) == ("14", ("IO",), (PersonName("X"),))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[{"key": "a", "name": "A"}, {"name": "B"}]',
            r"f\.json: library #1: field 'key' is missing",
        ),
        (
            '{"key": "algorithm/minmax"}',
            r"f\.json: library algorithm/minmax: field 'name' is missing",
        ),
        ('{"key": "k", "name": ""}', r"f\.json: library k: field 'name' is missing"),
        ('["k"]', r"f\.json: library #0 is the text 'k', expected an object"),
        ("{not json", r"f\.json returned a file that is not valid JSON"),
    ],
)
def test_missing_required_field_names_field_and_library(text, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_libraries_json(text, source="f.json")


def test_library_items_pair_each_library_with_its_submodule() -> None:
    submodule = SubmoduleItem("algorithm", "libs/algorithm", "../algorithm.git", "algorithm")
    items = library_items(submodule, _libraries("algorithm"))
    assert [(i.key, i.name, i.repo_name, i.superproject_path) for i in items][1] == (
        "algorithm/minmax",
        "Min-Max",
        "algorithm",
        "libs/algorithm",
    )


@pytest.mark.parametrize(
    ("tag", "stable"),
    [
        ("boost-1.86.0", True),
        ("boost-1.9.0", True),
        ("boost-1.86.0.beta1", False),
        ("boost-1.86.0.rc1", False),
        ("boost-1.86.0-beta1", False),
        ("boost-1.86.0 beta1", False),
        ("Boost_1_34_0", False),
        ("boost-1.86", False),
        ("bjam-3.1.18", False),
        ("v1.86.0", False),
    ],
)
def test_only_stable_tags_are_versions(tag, stable) -> None:
    assert (parse_version_tag(tag) is not None) is stable


def test_versions_sort_numerically() -> None:
    versions = [parse_version_tag(t) for t in ("boost-1.10.0", "boost-1.9.0", "boost-1.10.1")]
    ordered = sorted((v for v in versions if v is not None), key=lambda v: v.sort_key)
    assert [v.name for v in ordered] == ["boost-1.9.0", "boost-1.10.0", "boost-1.10.1"]


def test_release_list_keeps_dated_stable_releases_only() -> None:
    path = FIXTURES / "releases" / "boostorg-website_release.txt"
    versions = parse_release_list(path.read_text(encoding="utf-8"), source=str(path))
    names = [v.name for v in versions]
    assert names[0] == "boost-1.10.3"
    assert names[-1] == "boost-1.89.0"
    assert not any("beta" in n or "bjam" in n for n in names)
    by_name = {v.name: v for v in versions}
    assert by_name["boost-1.86.0"].released_at == datetime(2024, 8, 14, 16, 7, 17, tzinfo=UTC)
    assert all(v.released_at is not None for v in versions)
    assert (by_name["boost-1.86.0"].major, by_name["boost-1.86.0"].minor) == (1, 86)


def test_release_list_offsets_become_utc_and_undated_stay_none() -> None:
    text = (
        '{"boost-1.2.3": {"release_date": "Mon, 01 Jan 2001 10:00:00 -0500"},'
        ' "boost-1.2.4": {"documentation": "/doc/"},'
        ' "boost-1.2.5": {"release_date": "Mon, 01 Jan 2001 10:00:00 -0000"}}'
    )
    first, second, third = parse_release_list(text, source="r")
    assert first.released_at == datetime(2001, 1, 1, 15, 0, tzinfo=UTC)
    assert second.released_at is None
    assert third.released_at == datetime(2001, 1, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "r: release list is a list, expected an object"),
        ("nope", "r returned a release list that is not valid JSON"),
        (
            '{"boost-1.2.3": {"release_date": "yesterday"}}',
            "r: release boost-1.2.3: field 'release_date' is the text 'yesterday', expected an RFC",
        ),
    ],
)
def test_bad_release_list_is_rejected(text, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_release_list(text, source="r")
