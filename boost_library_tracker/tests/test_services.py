"""Catalogue services on real PostgreSQL: create, re-run, change one field, bad input."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boost_library_tracker import services
from boost_library_tracker.items import LibraryItem, PersonName, VersionItem
from boost_library_tracker.models import (
    BoostVersion,
    Category,
    Library,
    LibraryVersion,
    LibraryVersionCategory,
    LibraryVersionPerson,
)
from boost_library_tracker.parsers import (
    library_items,
    parse_gitmodules,
    parse_libraries_json,
    parse_release_list,
)
from cppa_user_tracker.models import GitIdentity

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
VERSION = "boost-1.86.0"


def _metas(name: str):
    path = FIXTURES / "libraries_json" / name / "meta" / "libraries.json"
    return parse_libraries_json(path.read_text(encoding="utf-8"), source=str(path))


def _catalogue():
    """The recorded libraries, paired with their submodules from the 1.86.0 superproject."""
    gitmodules = FIXTURES / "superproject" / "boostorg-boost_boost-1.86.0" / ".gitmodules"
    submodules = {s.repo_name: s for s in parse_gitmodules(gitmodules.read_text(), source="g")}
    repos = ["algorithm", "beast", "json", "leaf", "mp11", "spirit", "utility"]
    metas = [m for repo in repos for m in _metas(repo)]
    libraries = [lib for repo in repos for lib in library_items(submodules[repo], _metas(repo))]
    return libraries, metas


@pytest.fixture
def catalogue():
    services.upsert_versions(
        items=[VersionItem(VERSION, 1, 86, 0, datetime(2024, 8, 14, tzinfo=UTC))]
    )
    libraries, metas = _catalogue()
    services.upsert_libraries(items=libraries)
    return metas


def test_versions_from_the_release_list_are_stored_once() -> None:
    text = (FIXTURES / "releases" / "boostorg-website_release.txt").read_text()
    versions = parse_release_list(text, source="release.txt")
    first = services.upsert_versions(items=versions)
    second = services.upsert_versions(items=versions)
    assert (first.created, second.created, second.updated) == (len(versions), 0, 0)
    v = BoostVersion.objects.get(name=VERSION)
    assert (v.major, v.minor, v.patch) == (1, 86, 0)
    assert v.released_at == datetime(2024, 8, 14, 16, 7, 17, tzinfo=UTC)


def test_release_list_dates_re_date_stored_versions_and_add_none() -> None:
    tagged = datetime(2024, 8, 7, 21, 51, tzinfo=UTC)
    services.upsert_versions(items=[VersionItem(VERSION, 1, 86, 0, tagged)])
    text = (FIXTURES / "releases" / "boostorg-website_release.txt").read_text()
    dates = {v.name: v.released_at for v in parse_release_list(text, source="r") if v.released_at}
    assert len(dates) > 50

    assert services.refresh_version_dates(dates=dates) == 1
    assert services.refresh_version_dates(dates=dates) == 0  # unchanged: nothing written
    assert list(BoostVersion.objects.values_list("name", "released_at")) == [
        (VERSION, datetime(2024, 8, 14, 16, 7, 17, tzinfo=UTC))
    ]


def test_an_undated_tag_never_erases_a_known_date() -> None:
    dated = VersionItem(VERSION, 1, 86, 0, datetime(2024, 8, 14, tzinfo=UTC))
    services.upsert_versions(items=[dated])
    counts = services.upsert_versions(
        items=[VersionItem(VERSION, 1, 86, 0), VersionItem("boost-1.87.0", 1, 87, 0)]
    )
    assert (counts.created, counts.updated) == (1, 0)
    assert BoostVersion.objects.get(name=VERSION).released_at == dated.released_at
    assert BoostVersion.objects.get(name="boost-1.87.0").released_at is None


def test_a_version_whose_name_and_numbers_disagree_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"'boost-1\.86\.0' does not match"):
        services.upsert_versions(
            items=[VersionItem("boost-1.85.0", 1, 85, 0), VersionItem(VERSION, 1, 8, 6)]
        )
    assert not BoostVersion.objects.exists()


def test_libraries_keep_repository_and_superproject_path() -> None:
    libraries, _ = _catalogue()
    counts = services.upsert_libraries(items=libraries)
    assert counts.created == len(libraries) == 17
    minmax = Library.objects.get(key="algorithm/minmax")
    assert (minmax.name, minmax.repo_name, minmax.superproject_path) == (
        "Min-Max",
        "algorithm",
        "libs/algorithm",
    )
    assert services.upsert_libraries(items=libraries).unchanged == 17


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([LibraryItem("a", "A", "a", "libs/a"), LibraryItem("a", "A2", "a", "libs/a")], "twice: a"),
        ([LibraryItem("a", "A", "a", "libs/a"), LibraryItem("b", "", "b", "libs/b")], "'b' needs"),
    ],
)
def test_bad_libraries_are_rejected_and_nothing_written(items, message) -> None:
    with pytest.raises(ValueError, match=message):
        services.upsert_libraries(items=items)
    assert not Library.objects.exists()


def test_library_versions_store_metadata_categories_and_people(catalogue) -> None:
    counts = services.upsert_library_versions(version=VERSION, items=catalogue)
    assert counts.library_versions.created == 17
    assert LibraryVersion.objects.count() == 17
    minmax = LibraryVersion.objects.get(library__key="algorithm/minmax")
    assert minmax.documentation == "minmax/"
    string = LibraryVersion.objects.get(library__key="algorithm/string")
    assert sorted(string.categories.values_list("name", flat=True)) == ["Algorithms", "String"]
    beast = LibraryVersion.objects.get(library__key="beast")
    assert (beast.std, beast.cxxstd) == (["C++11"], "")
    spirit = LibraryVersion.objects.get(library__key="spirit")
    authors = LibraryVersionPerson.objects.filter(library_version=spirit, role="author").order_by(
        "position"
    )
    assert [p.identity.name for p in authors] == ["Joel de Guzman", "Hartmut Kaiser", "Dan Nuffer"]
    maintainers = LibraryVersionPerson.objects.filter(
        library_version=spirit, role="maintainer"
    ).order_by("position")
    assert [p.identity.email for p in maintainers] == [
        "joel@boost-consulting.com",
        "hartmut.kaiser@gmail.com",
    ]
    leaf = LibraryVersion.objects.get(library__key="leaf")
    assert (
        LibraryVersionPerson.objects.get(library_version=leaf, role="maintainer").identity.email
        == ""
    )
    # "Marshall Clow <marshall -at- idio.com>" maintains three libraries: one identity.
    assert GitIdentity.objects.filter(email="marshall@idio.com").count() == 1
    assert counts.categories.created == Category.objects.count()


def test_second_run_writes_nothing(catalogue) -> None:
    services.upsert_library_versions(version=VERSION, items=catalogue)
    stamps = dict(LibraryVersion.objects.values_list("id", "updated_at"))
    again = services.upsert_library_versions(version=VERSION, items=catalogue)
    assert again.rows_written == 0
    assert again.library_versions.unchanged == 17
    assert dict(LibraryVersion.objects.values_list("id", "updated_at")) == stamps


def test_statements_do_not_grow_with_the_number_of_libraries(catalogue) -> None:
    with CaptureQueriesContext(connection) as few:
        services.upsert_library_versions(version=VERSION, items=catalogue[:3])
    with CaptureQueriesContext(connection) as many:
        services.upsert_library_versions(version=VERSION, items=catalogue)
    assert len(many.captured_queries) <= len(few.captured_queries) + 2


def test_changing_one_library_updates_only_it(catalogue) -> None:
    services.upsert_library_versions(version=VERSION, items=catalogue)
    before = dict(LibraryVersion.objects.values_list("library__key", "updated_at"))
    changed = [
        dataclasses.replace(
            m,
            description="New words.",
            categories=("Algorithms",),
            maintainers=(PersonName("Someone Else", "else@example.org"),),
        )
        if m.key == "algorithm/string"
        else m
        for m in catalogue
    ]
    counts = services.upsert_library_versions(version=VERSION, items=changed)
    assert (counts.library_versions.updated, counts.library_versions.created) == (1, 0)
    assert counts.links_removed == 1  # the "String" category
    after = dict(LibraryVersion.objects.values_list("library__key", "updated_at"))
    assert [k for k in after if after[k] != before[k]] == ["algorithm/string"]
    string = LibraryVersion.objects.get(library__key="algorithm/string")
    assert list(string.categories.values_list("name", flat=True)) == ["Algorithms"]
    assert (
        LibraryVersionPerson.objects.get(library_version=string, role="maintainer").identity.email
        == "else@example.org"
    )


def test_a_shorter_author_list_drops_the_extra_slots(catalogue) -> None:
    services.upsert_library_versions(version=VERSION, items=catalogue)
    spirit = next(m for m in catalogue if m.key == "spirit")
    shorter = dataclasses.replace(spirit, authors=spirit.authors[:1])
    counts = services.upsert_library_versions(version=VERSION, items=[shorter])
    assert counts.links_removed == 2
    lv = LibraryVersion.objects.get(library__key="spirit")
    assert LibraryVersionPerson.objects.filter(library_version=lv, role="author").count() == 1


@pytest.mark.parametrize(
    ("version", "message"),
    [("boost-9.9.9", "'boost-9.9.9' is not recorded"), (VERSION, "unknown library key")],
)
def test_unknown_version_or_library_is_rejected_and_nothing_written(
    catalogue, version, message
) -> None:
    items = list(catalogue)
    if version == VERSION:
        items.append(dataclasses.replace(catalogue[0], key="nope"))
    with pytest.raises(ValueError, match=message):
        services.upsert_library_versions(version=version, items=items)
    assert not LibraryVersion.objects.exists()
    assert not LibraryVersionCategory.objects.exists()
    assert not LibraryVersionPerson.objects.exists()
    assert not GitIdentity.objects.exists()


def test_duplicate_keys_in_one_call_are_rejected(catalogue) -> None:
    with pytest.raises(ValueError, match="twice: json"):
        services.upsert_library_versions(version=VERSION, items=_metas("json") * 2)
