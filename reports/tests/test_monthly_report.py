"""run_monthly_report: numbers worked out by hand on `activity_db`, the files it writes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import html5lib
import pytest
from django.core.management import CommandError, call_command

from reports import sections as registry
from reports.github_section import build_github_section
from reports.models import Report
from reports.sections import Chart, ReportPeriod, Section, Table, register_section

MAY = ReportPeriod(2024, 5)


def table(section: Section, key: str) -> Table:
    return next(b for b in section.blocks if isinstance(b, Table) and b.key == key)


def report(*args: str) -> str:
    out = StringIO()
    call_command("run_monthly_report", *args, stdout=out)
    return out.getvalue()


def test_activity_per_library_matches_the_hand_counts(activity_db) -> None:
    section = build_github_section(MAY)
    assert section is not None
    rows = {row[0]: row for row in table(section, "activity_per_library").rows}
    # library, repository, commits, contributors (persons), issues opened, closed,
    # PRs opened, merged, median hours to first response (2, 6, 10 -> 6), to merge (60, 24)
    assert rows["json"] == ["json", "boostorg/json", 5, 3, 1, 2, 3, 2, "6.0", "42.0"]
    assert rows["algorithm, algorithm/minmax"][2:8] == [2, 2, 0, 0, 0, 0]
    assert rows["boostorg/website-v2"][2:4] == [1, 1]
    assert list(rows) == ["json", "algorithm, algorithm/minmax", "boostorg/website-v2"]
    assert table(section, "libraries_without_activity").rows == [["beast"]]


def test_contributors_are_persons_and_new_ones_are_told_from_returning(activity_db) -> None:
    section = build_github_section(MAY)
    assert section is not None
    facts = dict(section.facts)
    # Alice (three kinds of link, one person), Bob (account + identity), Carol, Erin.
    assert facts["contributors (persons)"] == "4"
    assert facts["commits"] == "8"
    assert table(section, "new_contributors").rows == [["Alice Adams", 4], ["Carol", 1]]
    assert table(section, "returning_contributors").rows == [["bob", 2], ["Erin", 1]]
    # Reviews submitted in May: Dave's June review is out; each reviewer once.
    assert table(section, "reviewers").rows == [["Alice Adams", 1], ["dave", 1], ["erin", 1]]


def test_html_report_is_valid_has_its_charts_and_csvs(activity_db, workspace) -> None:
    out = report("--month", "2024-05")
    path = workspace / "reports" / "2024-05" / "boost-report-2024-05.html"
    assert f"Report for 2024-05 (GitHub activity, Boost releases): {path}" in out
    page = path.read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(page)  # raises on any parse error
    charts = re.findall(r'<img src="data:image/svg\+xml;base64,', page)
    assert len(charts) == 3
    for key in ("top_libraries", "commits_per_day", "contributors"):
        assert (path.parent / "charts" / f"{key}.svg").read_bytes().startswith(b"<?xml")
        assert (path.parent / "charts" / f"{key}.png").read_bytes()[:4] == b"\x89PNG"
    per_day = (path.parent / "data" / "commits_per_day.csv").read_text().splitlines()
    assert per_day[0] == "label,commits"
    assert per_day[2] == "2,1"  # 2 May: one commit
    assert len(per_day) == 1 + 31
    assert "<td>boost-1.86.0</td><td>2024-05-14</td>" in page.replace('<td class="n">', "<td>")
    row = Report.objects.get()
    assert (row.month, row.format, row.sections) == ("2024-05", "html", ["github", "releases"])


def test_same_data_gives_the_same_report_but_for_its_timestamp(activity_db, workspace) -> None:
    report("--month", "2024-05")
    folder = workspace / "reports" / "2024-05"
    first = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    report("--month", "2024-05")
    second = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()

    def untimed(data: bytes) -> bytes:
        return re.sub(rb"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", b"T", data)

    for name, data in first.items():
        assert untimed(data) == untimed(second[name]), name
    hashes = set(Report.objects.values_list("content_hash", flat=True))
    assert len(hashes) == 1


def test_markdown_report_links_the_png_charts(activity_db, workspace, tmp_path) -> None:
    target = tmp_path / "out" / "may.md"
    report("--month", "2024-05", "--format", "md", "--output", str(target))
    text = target.read_text(encoding="utf-8")
    assert "![Commits per day](charts/commits_per_day.png)" in text
    assert "| json | boostorg/json | 5 | 3 | 1 | 2 | 3 | 2 | 6.0 | 42.0 |" in text
    assert (target.parent / "charts" / "commits_per_day.png").exists()


def test_pdf_report_renders_its_first_page(activity_db, workspace, tmp_path) -> None:
    assert shutil.which("pdftoppm"), "pdftoppm is missing: run 'make report-deps'"
    report("--month", "2024-05", "--format", "pdf")
    pdf = workspace / "reports" / "2024-05" / "boost-report-2024-05.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    subprocess.run(
        ["pdftoppm", "-png", "-f", "1", "-l", "1", "-r", "40", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    page = next(tmp_path.glob("page*.png"))
    assert page.read_bytes()[:4] == b"\x89PNG"
    assert page.stat().st_size > 1000


def test_pdf_without_pango_is_one_line_error(activity_db, workspace, monkeypatch) -> None:
    # What a machine without Pango sees: importing WeasyPrint fails.
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(CommandError) as raised:
        report("--month", "2024-05", "--format", "pdf")
    assert str(raised.value) == (
        "--format pdf needs Pango for WeasyPrint and it is not installed: run "
        "'make report-deps' (or 'apt-get install libpango-1.0-0 libpangoft2-1.0-0')"
    )
    assert not list(workspace.rglob("*.pdf"))


def test_a_registered_section_appears_and_an_empty_one_leaves_nothing(
    activity_db, workspace, monkeypatch
) -> None:
    monkeypatch.setattr(registry, "_sections", dict(registry._sections))
    register_section(
        key="mailing",
        order=30,
        build=lambda period: Section(
            key="mailing",
            title="Mailing lists",
            facts=[("messages", "12")],
            blocks=[Chart(key="mail", title="Mail", kind="bar", labels=["a"], series={"n": [1]})],
        ),
    )
    register_section(key="slack", order=40, build=lambda period: None)
    report("--month", "2024-05")
    page = (workspace / "reports" / "2024-05" / "boost-report-2024-05.html").read_text()
    assert '<section id="mailing">' in page
    assert "<dd>12</dd>" in page
    assert "slack" not in page.lower()


def test_a_month_without_data_has_no_sections(db, workspace) -> None:
    out = report("--month", "2024-05")
    assert "(no data for this month)" in out
    page = (workspace / "reports" / "2024-05" / "boost-report-2024-05.html").read_text()
    assert "<section" not in page
    assert "no collected data for this month" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2024-13"], "--month must be YYYY-MM (e.g. 2024-05), got '2024-13'"),
        (["--month", "may"], "--month must be YYYY-MM (e.g. 2024-05), got 'may'"),
    ],
)
def test_bad_month_is_one_line_error(db, workspace, args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as raised:
        report(*args)
    assert str(raised.value) == message
    assert not Path(workspace).exists() or not any(Path(workspace).rglob("*.html"))


def test_the_default_month_is_the_previous_one() -> None:
    assert ReportPeriod.previous(date(2024, 1, 15)).label == "2023-12"
    assert ReportPeriod.previous(date(2024, 6, 1)).label == "2024-05"
