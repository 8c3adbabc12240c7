"""Plain data about the Boost catalogue, as the parsers produce it (no Django imports here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

LIBRARY_PATH_PREFIX = "libs/"


@dataclass(frozen=True, slots=True)
class SubmoduleItem:
    """One `[submodule "name"]` section of the superproject's `.gitmodules`."""

    name: str
    path: str
    url: str
    repo_name: str

    @property
    def is_library(self) -> bool:
        """Only submodules under `libs/` are libraries; `tools/*` and `more` are not."""
        return self.path.startswith(LIBRARY_PATH_PREFIX)


@dataclass(frozen=True, slots=True)
class PersonName:
    """An author or maintainer as `libraries.json` names them; `email` is "" when unknown."""

    name: str
    email: str = ""


@dataclass(frozen=True, slots=True)
class LibraryMetaItem:
    """One library entry of a `meta/libraries.json` file at one Boost version."""

    key: str
    name: str
    description: str = ""
    documentation: str = ""
    cxxstd: str = ""
    status: str = ""
    first_boost_version: str = ""
    std: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    authors: tuple[PersonName, ...] = ()
    maintainers: tuple[PersonName, ...] = ()
    modules: bool = False


@dataclass(frozen=True, slots=True)
class LibraryItem:
    """A library with the superproject submodule (repository, directory) it lives in."""

    key: str
    name: str
    repo_name: str
    superproject_path: str


@dataclass(frozen=True, slots=True)
class VersionItem:
    """A stable Boost release, e.g. `boost-1.86.0`; `released_at` is UTC or None if unknown."""

    name: str
    major: int
    minor: int
    patch: int
    released_at: datetime | None = None

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)


@dataclass(frozen=True, slots=True)
class HeaderItem:
    """A header path under `include/` (`boost/asio.hpp`) and the library key owning it."""

    path: str
    library_key: str
