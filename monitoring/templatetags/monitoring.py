"""Template filters for the status pages."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

from core.runs import RunCounters

register = template.Library()


@register.filter
def counters_summary(counters: Mapping[str, int] | None) -> str:
    """Describe a run's counters in the summary line's words and order."""
    return RunCounters.from_mapping(counters or {}).summary()
