"""Every relative link in the project's Markdown points at a file, folder or heading that exists.

A regular expression is enough for these pages (no reference-style links, no HTML);
fenced code blocks and inline code are skipped, so an example such as `[x](y)` in a
code span is not taken for a link.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.layout import REPO_ROOT

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
INLINE_CODE = re.compile(r"`[^`]*`")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
EXTERNAL = ("http://", "https://", "mailto:")


def markdown_files() -> list[Path]:
    pages = [REPO_ROOT / "README.md", REPO_ROOT / "CONTRIBUTING.md"]
    pages += sorted((REPO_ROOT / "docs").rglob("*.md"))
    pages += sorted(REPO_ROOT.glob("*/README.md"))
    return pages


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The page's numbered lines outside fenced code blocks."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced:
            lines.append((number, line))
    return lines


def github_anchor(heading: str) -> str:
    """The fragment GitHub gives a heading: lower case, punctuation dropped, spaces to -."""
    text = heading.replace("`", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    lines = prose_lines(page.read_text(encoding="utf-8"))
    headings = (HEADING.match(line) for _, line in lines)
    return {github_anchor(match.group(1)) for match in headings if match}


def broken_links(page: Path) -> list[str]:
    problems = []
    for number, line in prose_lines(page.read_text(encoding="utf-8")):
        for target in LINK.findall(INLINE_CODE.sub("", line)):
            if target.startswith(EXTERNAL):
                continue
            path_part, _, fragment = target.partition("#")
            destination = (page.parent / path_part).resolve() if path_part else page
            if not destination.exists():
                problems.append(f"line {number}: {target}: no such file")
            elif fragment and destination.suffix == ".md" and fragment not in anchors(destination):
                problems.append(f"line {number}: {target}: no heading #{fragment}")
    return problems


@pytest.mark.parametrize(
    "page", markdown_files(), ids=lambda page: str(page.relative_to(REPO_ROOT))
)
def test_relative_links_resolve(page: Path) -> None:
    assert broken_links(page) == []


def test_a_broken_link_and_a_missing_heading_are_reported(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other page\n\n## The `service` layer\n")
    page = tmp_path / "page.md"
    page.write_text(
        "See [other](other.md#the-service-layer), [gone](gone.md), [bad](other.md#nope),\n"
        "[web](https://example.com/x.md) and `[code](not-a-link.md)`.\n"
        "```\n[fenced](also-not-a-link.md)\n```\n"
    )
    assert broken_links(page) == [
        "line 1: gone.md: no such file",
        "line 1: other.md#nope: no heading #nope",
    ]
