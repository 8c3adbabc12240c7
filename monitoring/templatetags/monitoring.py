"""Template filters for the status pages."""

from __future__ import annotations

from django import template

from core.models import CollectorRun, RunKind
from core.runs import RunCounters, batch_counts_summary

register = template.Library()


@register.filter
def counters_summary(run: CollectorRun) -> str:
    """Describe a run's counters in the words and order of its summary line."""
    if run.kind == RunKind.BATCH:
        return batch_counts_summary(run.counters or {}) if run.counters else ""
    return RunCounters.from_mapping(run.counters or {}).summary()
