"""Write a built report as HTML, Markdown or PDF, with its charts (SVG, PNG) and CSVs.

Layout of a report directory:
    boost-report-YYYY-MM.<html|md|pdf>   the report
    charts/<key>.svg, charts/<key>.png   every chart, in both formats
    data/<key>.csv                       the numbers behind each chart and table
The HTML carries its charts inline (one file can be mailed); the Markdown links the
PNGs. Every file is written to a temporary name first and renamed into place.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.core.management.base import CommandError
from django.template.loader import render_to_string

from reports import charts
from reports.sections import Chart, ReportPeriod, Section, Table

FORMATS = ("html", "pdf", "md")
GENERATED = "@@GENERATED@@"
PANGO_MISSING = (
    "--format pdf needs Pango for WeasyPrint and it is not installed: run "
    "'make report-deps' (or 'apt-get install libpango-1.0-0 libpangoft2-1.0-0')"
)


@dataclass(frozen=True, slots=True)
class WrittenReport:
    path: Path
    content_hash: str


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _csv(block: Table | Chart) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    if isinstance(block, Table):
        writer.writerow(block.columns)
        writer.writerows(block.rows)
    else:
        writer.writerow(["label", *block.series])
        for index, label in enumerate(block.labels):
            writer.writerow([label, *(_number(values[index]) for values in block.series.values())])
    return buffer.getvalue().encode()


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def write_assets(sections: list[Section], directory: Path) -> dict[str, bytes]:
    """Write every chart (SVG, PNG) and CSV; return the SVG bytes by chart key."""
    svgs: dict[str, bytes] = {}
    for section in sections:
        for block in section.blocks:
            write_atomic(directory / "data" / f"{block.key}.csv", _csv(block))
            if isinstance(block, Chart):
                svgs[block.key] = charts.render(block, "svg")
                write_atomic(directory / "charts" / f"{block.key}.svg", svgs[block.key])
                write_atomic(directory / "charts" / f"{block.key}.png", charts.render(block, "png"))
    return svgs


def _cell(value: object) -> dict[str, object]:
    return {"value": value, "numeric": isinstance(value, int | float)}


def render_html(period: ReportPeriod, sections: list[Section], svgs: dict[str, bytes]) -> str:
    """The report page with the generation time left as a placeholder."""
    context_sections = []
    for section in sections:
        blocks = []
        for block in section.blocks:
            if isinstance(block, Chart):
                svg = base64.b64encode(svgs[block.key]).decode()
                blocks.append({"chart": True, "key": block.key, "title": block.title, "svg": svg})
            else:
                rows = [[_cell(value) for value in row] for row in block.rows]
                blocks.append(
                    {
                        "key": block.key,
                        "title": block.title,
                        "columns": block.columns,
                        "rows": rows,
                        "note": block.note,
                    }
                )
        context_sections.append(
            {
                "key": section.key,
                "title": section.title,
                "text": section.text,
                "facts": section.facts,
                "blocks": blocks,
            }
        )
    return render_to_string(
        "reports/monthly.html",
        {
            "period": period,
            "last_day": period.end - timedelta(days=1),
            "sections": context_sections,
            "generated": GENERATED,
        },
    )


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_markdown(period: ReportPeriod, sections: list[Section]) -> str:
    lines = [f"# Boost activity report, {period.title}", ""]
    if not sections:
        lines += ["No collected data for this month.", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        if section.text:
            lines += [section.text, ""]
        lines += [f"- **{name}**: {value}" for name, value in section.facts]
        lines.append("")
        for block in section.blocks:
            if isinstance(block, Chart):
                lines += [f"![{block.title}](charts/{block.key}.png)", ""]
                lines += [f"Data: [{block.key}.csv](data/{block.key}.csv)", ""]
                continue
            lines += [f"### {block.title}", ""]
            if block.rows:
                lines.append("| " + " | ".join(block.columns) + " |")
                lines.append("|" + "---|" * len(block.columns))
                lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in block.rows]
            else:
                lines.append("None this month.")
            lines.append("")
            if block.note:
                lines += [f"_{block.note}_", ""]
    lines += [f"Generated {GENERATED} by the Boost Data Collector.", ""]
    return "\n".join(lines)


def _pdf(html: str, base: Path) -> bytes:
    try:
        from weasyprint import HTML
    except (OSError, ImportError) as exc:  # WeasyPrint loads Pango when imported
        raise CommandError(PANGO_MISSING) from exc
    pdf = HTML(string=html, base_url=str(base)).write_pdf()
    assert pdf is not None  # None only when a target file is given
    return pdf


def write_report(
    *, period: ReportPeriod, sections: list[Section], fmt: str, path: Path, generated: str
) -> WrittenReport:
    """Write the report and its assets; the hash leaves the generation time out."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    svgs = write_assets(sections, path.parent)
    body = render_markdown(period, sections) if fmt == "md" else render_html(period, sections, svgs)
    content_hash = hashlib.sha256(body.encode()).hexdigest()
    final = body.replace(GENERATED, generated)
    data = _pdf(final, path.parent) if fmt == "pdf" else final.encode()
    write_atomic(path, data)
    return WrittenReport(path=path, content_hash=content_hash)
