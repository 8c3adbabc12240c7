"""Celery task for the fixed collector list; a thin door to `run_all_collectors`."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command

from core.models import RunTrigger
from core.runs import run_context


@shared_task(name="workflow.tasks.run_all_collectors_task")
def run_all_collectors_task(stop_on_failure: bool = False) -> None:
    """Run every command of WORKFLOW_COLLECTORS; a non-zero exit fails the task."""
    with run_context(trigger=RunTrigger.CELERY):
        call_command("run_all_collectors", stop_on_failure=stop_on_failure)
