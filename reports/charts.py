"""Charts drawn server-side with matplotlib's Agg backend: SVG for pages, PNG for Markdown.

The same data always gives the same bytes: SVG ids come from a fixed hash salt and no
file carries a creation date, so a report run twice on the same data is identical.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from reports.sections import Chart

STYLE: dict[str, Any] = {
    "svg.hashsalt": "boost-data-collector-report",
    "svg.fonttype": "none",  # text stays text: searchable, and smaller
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
COLOURS = ["#1f5fa8", "#e08a1e", "#3a9a4d", "#b23b3b", "#7a5aa6"]


def _figure(chart: Chart) -> Figure:
    rows = max(len(chart.labels), 1)
    height = 1.2 + 0.32 * rows if chart.kind == "hbar" else 3.2
    figure = Figure(figsize=(7.5, min(height, 9.0)), dpi=100)
    axes = figure.add_subplot()
    count = max(len(chart.series), 1)
    width = 0.8 / count
    positions = range(len(chart.labels))
    for index, (name, values) in enumerate(chart.series.items()):
        colour = COLOURS[index % len(COLOURS)]
        if chart.kind == "line":
            axes.plot(list(positions), values, label=name, color=colour, marker=".")
        elif chart.kind == "hbar":
            axes.barh(
                [p + index * width for p in positions],
                values,
                height=width,
                label=name,
                color=colour,
            )
        else:
            axes.bar(
                [p + index * width for p in positions],
                values,
                width=width,
                label=name,
                color=colour,
            )
    offset = 0.0 if chart.kind == "line" else width * (count - 1) / 2
    ticks = [p + offset for p in positions]
    if chart.kind == "hbar":
        axes.set_yticks(ticks, chart.labels)
        axes.invert_yaxis()
    else:
        step = 1 if len(chart.labels) <= 16 else 5
        axes.set_xticks(ticks[::step], chart.labels[::step])
    if chart.ylabel:
        (axes.set_xlabel if chart.kind == "hbar" else axes.set_ylabel)(chart.ylabel)
    if len(chart.series) > 1:
        axes.legend(frameon=False)
    axes.set_title(chart.title, loc="left")
    figure.tight_layout()
    return figure


def render(chart: Chart, fmt: str) -> bytes:
    """The chart as `svg` or `png` bytes."""
    with plt.rc_context(STYLE):  # pyright: ignore[reportArgumentType]
        figure = _figure(chart)
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        figure.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()
