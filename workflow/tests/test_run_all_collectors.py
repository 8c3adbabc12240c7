"""run_all_collectors: the fixed list, with the scheduler's rules."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from boost_collector_runner.tests.conftest import children
from core.models import CollectorRun
from workflow.tasks import run_all_collectors_task

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("run_all_collectors", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_default_list_runs_the_people_collector() -> None:
    assert "1 task: 1 succeeded, 0 failed, 0 skipped" in run()
    batch = CollectorRun.objects.get(kind="batch")
    assert (batch.command, batch.collector, children(batch).get().command) == (
        "run_all_collectors",
        "workflow",
        "run_cppa_user_tracker",
    )


def test_failure_and_stop_on_failure(settings) -> None:
    settings.WORKFLOW_COLLECTORS = ["run_test_fail", "run_test_ok", "run_missing"]
    with pytest.raises(CommandError) as caught:
        run()
    assert (
        "3 tasks: 1 succeeded, 2 failed (run_test_fail: rate_limit, run_missing: command)"
        in str(caught.value)
    )
    with pytest.raises(CommandError) as stopped:
        run("--stop-on-failure")
    assert "3 tasks: 0 succeeded, 1 failed (run_test_fail: rate_limit), 2 skipped" in str(
        stopped.value
    )


def test_empty_list_is_a_configuration_error(settings) -> None:
    settings.WORKFLOW_COLLECTORS = []
    with pytest.raises(CommandError, match="WORKFLOW_COLLECTORS is empty"):
        run()


def test_task_fails_when_a_collector_fails(settings) -> None:
    settings.WORKFLOW_COLLECTORS = ["run_test_ok"]
    assert run_all_collectors_task.apply().successful()
    settings.WORKFLOW_COLLECTORS = ["run_test_fail"]
    assert run_all_collectors_task.apply(kwargs={"stop_on_failure": True}).failed()
