"""Which Boost version a project asks for, read from its own files; never guessed.

Each reader returns the evidence it found (the version as written, how it is
constrained, and the line) or None. A version given through a variable
(`find_package(Boost ${MIN_BOOST})`) or a range without a lower bound is not evidence
of a version and gives None.
"""

from __future__ import annotations

import json
import re

from boost_usage_tracker.items import VersionEvidenceItem
from boost_usage_tracker.models import VersionSource

_VERSION = r"([0-9]+\.[0-9]+(?:\.[0-9]+)?)"
_CMAKE = re.compile(r"find_package\s*\(\s*Boost\s+" + _VERSION + r"\b([^)]*)\)", re.IGNORECASE)
_CONAN_REF = re.compile(r"""["']?\bboost/(\[[^\]]*\]|[0-9][0-9.]*)""")
_CONAN_LOWER = re.compile(r">=?\s*" + _VERSION)
_VERSION_CHECK = re.compile(r"\bBOOST_VERSION\s*(>=|<=|==|!=|>|<)\s*([0-9]{5,6})\b")
_EVIDENCE_CHARS = 300


def _line_of(text: str, start: int) -> str:
    """The whole line around offset `start`, stripped and bounded."""
    begin = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    return text[begin : end if end != -1 else len(text)].strip()[:_EVIDENCE_CHARS]


def from_cmake(text: str, *, path: str) -> VersionEvidenceItem | None:
    """`find_package(Boost 1.70 REQUIRED ...)`: a minimum, or exact with EXACT."""
    found = _CMAKE.search(text)
    if found is None:
        return None
    exact = re.search(r"\bEXACT\b", found.group(2), re.IGNORECASE) is not None
    return VersionEvidenceItem(
        source=VersionSource.CMAKE,
        file_path=path,
        version=found.group(1),
        constraint="==" if exact else ">=",
        evidence=" ".join(found.group(0).split())[:_EVIDENCE_CHARS],
    )


def _is_boost_port(name: object) -> bool:
    return isinstance(name, str) and (name == "boost" or name.startswith("boost-"))


def from_vcpkg(text: str, *, path: str) -> VersionEvidenceItem | None:
    """vcpkg.json: an `overrides` pin of a boost port (exact), else a `version>=` (minimum)."""
    try:
        manifest = json.loads(text)
    except ValueError:
        return None
    if not isinstance(manifest, dict):
        return None
    for key, constraint, field in (
        ("overrides", "==", "version"),
        ("dependencies", ">=", "version>="),
    ):
        entries = manifest.get(key)
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict) or not _is_boost_port(entry.get("name")):
                continue
            version = entry.get(field)
            if isinstance(version, str) and re.fullmatch(_VERSION + r"(#[0-9]+)?", version):
                return VersionEvidenceItem(
                    source=VersionSource.VCPKG,
                    file_path=path,
                    version=version.partition("#")[0],
                    constraint=constraint,
                    evidence=json.dumps({key: [entry]})[:_EVIDENCE_CHARS],
                )
    return None


def from_conan(text: str, *, path: str) -> VersionEvidenceItem | None:
    """conanfile.txt/.py: `boost/1.83.0` (exact) or `boost/[>=1.70 <2]` (its lower bound)."""
    for found in _CONAN_REF.finditer(text):
        reference = found.group(1)
        if reference.startswith("["):
            lower = _CONAN_LOWER.search(reference)
            if lower is None:
                continue
            version, constraint = lower.group(1), ">="
        elif re.fullmatch(_VERSION, reference):
            version, constraint = reference, "=="
        else:
            continue
        return VersionEvidenceItem(
            source=VersionSource.CONAN,
            file_path=path,
            version=version,
            constraint=constraint,
            evidence=_line_of(text, found.start()),
        )
    return None


def from_version_check(text: str, *, path: str) -> VersionEvidenceItem | None:
    """`#if BOOST_VERSION >= 107000`: the number as X.Y.Z (BOOST_VERSION is X*100000+Y*100+Z)."""
    found = _VERSION_CHECK.search(text)
    if found is None:
        return None
    number = int(found.group(2))
    version = f"{number // 100000}.{number // 100 % 1000}.{number % 100}"
    return VersionEvidenceItem(
        source=VersionSource.VERSION_CHECK,
        file_path=path,
        version=version,
        constraint=found.group(1),
        evidence=_line_of(text, found.start()),
    )


# The build files read at each repository's default branch, and their readers.
BUILD_FILES = {
    "CMakeLists.txt": from_cmake,
    "vcpkg.json": from_vcpkg,
    "conanfile.txt": from_conan,
    "conanfile.py": from_conan,
}
