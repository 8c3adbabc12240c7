"""The Celery task Beat sends: a thin door to `run_scheduled_collectors`.

It takes plain values (Beat stores them as JSON) and runs the same command an
operator runs, so a scheduled run and a manual one behave alike. A non-zero exit
raises, which marks the Celery task failed.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.core.management import call_command

from boost_collector_runner.beat import GROUP_BATCH_KIND
from core.models import RunTrigger
from core.runs import run_context


@shared_task(name="boost_collector_runner.tasks.run_scheduled_collectors_task")
def run_scheduled_collectors_task(
    schedule_kind: str,
    group_id: str | None = None,
    day_of_week: str | None = None,
    day_of_month: int | None = None,
    interval_minutes: int | None = None,
    stop_on_failure: bool = False,
    strict: bool = False,
) -> None:
    """Run one scheduled batch; `schedule_kind="batch"` with `group_id` is a group's Beat run."""
    options: dict[str, Any] = {
        "group": group_id,
        "day_of_week": day_of_week,
        "day_of_month": day_of_month,
        "interval_minutes": interval_minutes,
        "stop_on_failure": stop_on_failure,
        "strict": strict,
    }
    if schedule_kind == GROUP_BATCH_KIND:
        options["batch"] = True
    else:
        options["schedule"] = schedule_kind
    with run_context(trigger=RunTrigger.CELERY):
        call_command("run_scheduled_collectors", **options)
