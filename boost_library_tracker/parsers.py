"""Turn Boost catalogue sources into items: `.gitmodules`, `libraries.json`, tags, releases.

Pure functions of text: no database, no network, so the fetcher, a replay of the raw
archive and the tests all run the very same code. Bad input raises `MalformedResponse`
(a `ValueError`) naming where the text came from (`source`: the URL, or the URL and
the file) and the field, never a silent skip.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from boost_library_tracker.items import (
    LibraryItem,
    LibraryMetaItem,
    PersonName,
    SubmoduleItem,
    VersionItem,
)
from core.http import MalformedResponse, Payload, decode_json
from cppa_user_tracker.normalise import normalise_email

_SECTION = re.compile(r'^\[\s*submodule\s+"(?P<name>[^"]+)"\s*\]$')
_OTHER_SECTION = re.compile(r"^\[.*\]$")
# Four digits at most: the parts are stored in smallint columns.
_STABLE_TAG = re.compile(r"^boost-(\d{1,4})\.(\d{1,4})\.(\d{1,4})$")


def parse_gitmodules(text: str, *, source: str) -> list[SubmoduleItem]:
    """Read every submodule of a git-config `.gitmodules`, in file order.

    The submodule name is kept apart from its directory (`numeric_conversion` lives in
    `libs/numeric/conversion`) and from its repository, which the relative `url` names.
    """
    sections: list[tuple[str, dict[str, str]]] = []
    current: dict[str, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if match := _SECTION.match(line):
            current = {}
            sections.append((match["name"], current))
        elif _OTHER_SECTION.match(line):
            current = None
        elif "=" in line:
            if current is not None:
                key, _, value = line.partition("=")
                current[key.strip().lower()] = value.strip()
        else:
            raise MalformedResponse(
                f"{source}: line {number} is not git-config syntax: {raw!r}",
                url=source,
                field=f"line {number}",
            )
    return [_submodule(name, values, source=source) for name, values in sections]


def _submodule(name: str, values: dict[str, str], *, source: str) -> SubmoduleItem:
    for required in ("path", "url"):
        if not values.get(required):
            raise MalformedResponse(
                f"{source}: submodule {name!r} has no {required!r}",
                url=source,
                field=required,
                item_id=name,
            )
    url = values["url"]
    repo_name = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    return SubmoduleItem(name=name, path=values["path"], url=url, repo_name=repo_name)


def library_items(submodule: SubmoduleItem, metas: Iterable[LibraryMetaItem]) -> list[LibraryItem]:
    """Pair each library of one repository's `libraries.json` with its submodule."""
    return [
        LibraryItem(
            key=meta.key,
            name=meta.name,
            repo_name=submodule.repo_name,
            superproject_path=submodule.path,
        )
        for meta in metas
    ]


def parse_libraries_json(text: str, *, source: str) -> list[LibraryMetaItem]:
    """Read a `meta/libraries.json`: one library object or an array of them.

    Quirks handled: `authors` may be a list, a single string or ""; a single string is
    one author (never split on commas: "John Maddock, Howard Hinnant, et al" is one
    credit line); `category` and `std` may be a string; `cxxstd` may be a number.
    """
    data = decode_json(text, url=source, what="a file")
    entries = data if isinstance(data, list) else [data]
    return [_library_meta(entry, index=i, source=source) for i, entry in enumerate(entries)]


def _library_meta(value: Any, *, index: int, source: str) -> LibraryMetaItem:
    entry = Payload.of(value, url=source, kind="library", item_id=f"#{index}")
    key = _text(entry, "key")
    if not key:
        raise entry.fail("key", "is missing")
    entry = Payload.of(value, url=source, kind="library", item_id=key)
    name = _text(entry, "name")
    if not name:
        raise entry.fail("name", "is missing")
    return LibraryMetaItem(
        key=key,
        name=name,
        description=_text(entry, "description"),
        documentation=_text(entry, "documentation"),
        cxxstd=_text(entry, "cxxstd"),
        status=_text(entry, "status"),
        first_boost_version=_text(entry, "boost-version"),
        std=_text_list(entry, "std"),
        categories=_text_list(entry, "category"),
        authors=tuple(PersonName(name=name) for name in _text_list(entry, "authors")),
        maintainers=tuple(parse_maintainer(m) for m in _text_list(entry, "maintainers")),
        modules=entry.flag("modules"),
    )


def _as_text(entry: Payload, field: str, value: Any) -> str:
    """Text, or a number written without quotes (`"cxxstd": 14`); null gives ""."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise entry.wrong(field, value, "text")
    return str(value).strip()


def _text(entry: Payload, field: str) -> str:
    return _as_text(entry, field, entry.data.get(field))


def _text_list(entry: Payload, field: str) -> tuple[str, ...]:
    """Accept a list or a lone string; drop empty entries ("" means none)."""
    value = entry.data.get(field)
    if isinstance(value, list):
        found = [_as_text(entry, f"{field}[{i}]", v) for i, v in enumerate(value)]
    else:
        found = [_text(entry, field)]
    return tuple(text for text in found if text)


def parse_maintainer(text: str) -> PersonName:
    """Split `"Name <user -at- domain>"` into a name and a plain email address.

    Rule: the name is everything before `<`; the address is what follows, with a
    missing `>` tolerated and `-at-`/`-dot-` spelled out. An address that is still not
    `user@domain.tld` is dropped (email ""), and an entry without `<` is a name only.
    """
    name, bracket, rest = text.partition("<")
    if not bracket:
        return PersonName(name=" ".join(text.split()))
    email = normalise_email(rest.split(">", 1)[0])
    return PersonName(name=" ".join(name.split()), email=email)


def parse_version_tag(tag: str) -> VersionItem | None:
    """Return the version of a stable `boost-X.Y.Z` tag, or None for betas, rcs and others."""
    match = _STABLE_TAG.match(tag.strip())
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return VersionItem(name=tag.strip(), major=major, minor=minor, patch=patch)


def parse_release_list(text: str, *, source: str) -> list[VersionItem]:
    """Read boost.org's `release.txt` (JSON keyed `boost-1.x.y`) into dated stable versions.

    Betas, `bjam-*` and other keys are skipped; a stable release without a date keeps
    `released_at=None` so it never erases a date learnt from its tag.
    """
    releases = Payload.of(
        decode_json(text, url=source, what="a release list"), url=source, kind="release list"
    )
    versions = []
    for name, details in releases.data.items():
        version = parse_version_tag(name)
        if version is None:
            continue
        release = Payload.of(details, url=source, kind="release", item_id=name)
        versions.append(
            VersionItem(
                name=version.name,
                major=version.major,
                minor=version.minor,
                patch=version.patch,
                released_at=_release_date(release),
            )
        )
    return sorted(versions, key=lambda v: v.sort_key)


def _release_date(release: Payload) -> datetime | None:
    stamp = release.optional_str("release_date").strip()
    if not stamp:
        return None
    try:
        moment = parsedate_to_datetime(stamp)
    except (TypeError, ValueError):
        raise release.wrong("release_date", stamp, "an RFC 2822 date") from None
    # RFC 2822 "-0000" means "zone unknown"; the list is written in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# Header files as Boost ships them; `.ipp` implementation files are included too.
HEADER_SUFFIXES = (".hpp", ".h", ".ipp", ".hxx", ".hh", ".inl")


def parse_header_tree(body: object, *, url: str) -> list[str]:
    """The `boost/...` header paths of a recursive trees answer (entries under `include/`).

    A `truncated` tree (more than GitHub lists in one answer) raises, naming the URL:
    a partial header list would give headers to the wrong library without a word.
    """
    answer = Payload.of(body, url=url, kind="tree")
    if answer.flag("truncated"):
        raise answer.fail("truncated", "is true: GitHub listed only part of the tree")
    paths = []
    for entry in answer.objects("tree"):
        path = entry.require_str("path")
        if entry.optional_str("type") != "blob" or not path.startswith("include/boost/"):
            continue
        if path.endswith(HEADER_SUFFIXES):
            paths.append(path.removeprefix("include/"))
    return sorted(paths)
