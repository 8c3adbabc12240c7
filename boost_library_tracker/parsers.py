"""Turn Boost catalogue sources into items: `.gitmodules`, `libraries.json`, tags, releases.

Pure functions of text: no database, no network, so the fetcher, a replay of the raw
archive and the tests all run the very same code. Bad input raises `ValueError`
naming the file (`source`) and the field, never a silent skip.
"""

from __future__ import annotations

import json
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

_SECTION = re.compile(r'^\[\s*submodule\s+"(?P<name>[^"]+)"\s*\]$')
_OTHER_SECTION = re.compile(r"^\[.*\]$")
_STABLE_TAG = re.compile(r"^boost-(\d+)\.(\d+)\.(\d+)$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_AT = re.compile(r"\s*-at-\s*|\s+at\s+|\s*\(at\)\s*", re.IGNORECASE)
_DOT = re.compile(r"\s*-dot-\s*|\s+dot\s+|\s*\(dot\)\s*", re.IGNORECASE)


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
            raise ValueError(f"{source}: line {number} is not git-config syntax: {raw!r}")
    return [_submodule(name, values, source=source) for name, values in sections]


def _submodule(name: str, values: dict[str, str], *, source: str) -> SubmoduleItem:
    for required in ("path", "url"):
        if not values.get(required):
            raise ValueError(f"{source}: submodule {name!r} has no {required!r}")
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
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    entries = data if isinstance(data, list) else [data]
    return [_library_meta(entry, index=i, source=source) for i, entry in enumerate(entries)]


def _library_meta(entry: Any, *, index: int, source: str) -> LibraryMetaItem:
    if not isinstance(entry, dict):
        raise ValueError(f"{source}: library #{index} is not an object")
    label = f"{source}: library #{index}"
    key = _required_text(entry, "key", label=label)
    label = f"{source}: library {key!r}"
    return LibraryMetaItem(
        key=key,
        name=_required_text(entry, "name", label=label),
        description=_text(entry.get("description")),
        documentation=_text(entry.get("documentation")),
        cxxstd=_text(entry.get("cxxstd")),
        status=_text(entry.get("status")),
        first_boost_version=_text(entry.get("boost-version")),
        std=_text_list(entry.get("std")),
        categories=_text_list(entry.get("category")),
        authors=tuple(PersonName(name=name) for name in _text_list(entry.get("authors"))),
        maintainers=tuple(parse_maintainer(m) for m in _text_list(entry.get("maintainers"))),
        modules=bool(entry.get("modules", False)),
    )


def _required_text(entry: dict[str, Any], field: str, *, label: str) -> str:
    value = _text(entry.get(field))
    if not value:
        raise ValueError(f"{label} has no {field!r}")
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _text_list(value: Any) -> tuple[str, ...]:
    """Accept a list or a lone string; drop empty entries ("" means none)."""
    values = value if isinstance(value, list) else [value]
    return tuple(text for text in (_text(v) for v in values) if text)


def parse_maintainer(text: str) -> PersonName:
    """Split `"Name <user -at- domain>"` into a name and a plain email address.

    Rule: the name is everything before `<`; the address is what follows, with a
    missing `>` tolerated and `-at-`/`-dot-` spelled out. An address that is still not
    `user@domain.tld` is dropped (email ""), and an entry without `<` is a name only.
    """
    name, bracket, rest = text.partition("<")
    if not bracket:
        return PersonName(name=" ".join(text.split()))
    address = _DOT.sub(".", _AT.sub("@", rest.split(">", 1)[0].strip()))
    address = address.replace(" ", "").lower()
    return PersonName(name=" ".join(name.split()), email=address if _EMAIL.match(address) else "")


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
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected an object keyed by release name")
    versions = []
    for name, details in data.items():
        version = parse_version_tag(name)
        if version is None:
            continue
        stamp = _text(details.get("release_date")) if isinstance(details, dict) else ""
        versions.append(
            VersionItem(
                name=version.name,
                major=version.major,
                minor=version.minor,
                patch=version.patch,
                released_at=_release_date(stamp, name=name, source=source),
            )
        )
    return sorted(versions, key=lambda v: v.sort_key)


def _release_date(stamp: str, *, name: str, source: str) -> datetime | None:
    if not stamp:
        return None
    try:
        moment = parsedate_to_datetime(stamp)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{source}: release {name!r} has a bad release_date {stamp!r}") from exc
    # RFC 2822 "-0000" means "zone unknown"; the list is written in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
