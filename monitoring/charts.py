"""Tiny server-rendered SVG charts, so the status page needs no front-end build."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: str
    maximum: float
    label: str

    @property
    def empty(self) -> bool:
        return not self.points


def _points(values: Sequence[float], width: int, height: int, pad: int) -> tuple[str, float]:
    if not values:
        return "", 0.0
    top = max(values) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    coords = []
    for index, value in enumerate(values):
        x = pad + index * step
        y = height - pad - (value / top) * (height - 2 * pad)
        coords.append(f"{x:.1f},{y:.1f}")
    if len(coords) == 1:
        coords.append(f"{width - pad:.1f},{coords[0].split(',')[1]}")
    return " ".join(coords), max(values)


def sparkline(values: Sequence[float]) -> Chart:
    """A 120x24 trend line (e.g. a group's last batch durations)."""
    points, top = _points(values, 120, 24, 2)
    return Chart(120, 24, points, top, "")


def line_chart(values: Sequence[float], *, label: str) -> Chart:
    """A 600x160 line chart with its maximum shown on the axis."""
    points, top = _points(values, 600, 160, 12)
    return Chart(600, 160, points, top, label)
