"""A run killed mid-way is found and marked `abandoned`, never a live one.

A living run holds its advisory lock from before its ledger row is written until
after it is finished; the next run of the same command (holding that lock), and a
batch's sweep at start, read a free lock as a dead process.
"""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import call_command

from core import runs
from core.locks import AdvisoryLock
from core.models import CollectorRun, RunKind
from core.selectors import running_count
from core.testing.manage import kill_and_wait, start_on_test_db

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for_running_row(pid: int, timeout: float = 60) -> CollectorRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = CollectorRun.objects.filter(pid=pid, status="running").first()
        if row is not None:
            return row
        time.sleep(0.05)
    pytest.fail(f"process {pid} wrote no running ledger row in {timeout}s")


def start_sleeping_run():
    process = start_on_test_db("run_test_ok", "--sleep", "120")
    return process, wait_for_running_row(process.pid)


def test_the_next_run_of_the_command_closes_a_killed_run(client, settings) -> None:
    process, killed = start_sleeping_run()
    kill_and_wait(process, lock_name="command:run_test_ok")
    assert running_count() == 1  # nothing can know yet

    call_command("run_test_ok", stdout=StringIO())

    killed.refresh_from_db()
    assert killed.status == "abandoned"
    assert killed.finished_at is not None
    assert killed.error_summary.startswith(f"abandoned: pid {process.pid} on ")
    assert "its lock command:run_test_ok was free at" in killed.error_summary
    assert CollectorRun.objects.latest("id").status == "succeeded"
    assert running_count() == 0
    settings.HEALTH_CHECK_TOKEN = "tok"
    metrics = client.get("/metrics", HTTP_AUTHORIZATION="Bearer tok").content.decode()
    assert "boost_collector_runs_in_progress 0" in metrics


def test_a_live_run_is_never_closed_by_a_sweep() -> None:
    process, live = start_sleeping_run()
    try:
        assert runs.close_abandoned_runs() == []
        out = StringIO()
        call_command("run_test_ok", stdout=out)  # its lock is held: skipped
        assert "test_ok: skipped — another run of run_test_ok is in progress" in out.getvalue()
        live.refresh_from_db()
        assert live.status == "running"
    finally:
        process.kill()
        process.wait(timeout=30)


def test_a_row_of_another_machine_stays_running_while_its_lock_is_held() -> None:
    far = runs.start_run(command="run_far_away", lock_name="command:run_far_away")
    CollectorRun.objects.filter(pk=far.pk).update(host="other-machine", pid=4242)
    with AdvisoryLock("command:run_far_away") as lock:
        assert lock.acquire()  # the other machine's process, alive
        assert runs.close_abandoned_runs() == []
    [closed] = runs.close_abandoned_runs()  # the machine is gone: its session too
    assert (closed.pk, closed.status) == (far.pk, "abandoned")
    assert "pid 4242 on other-machine stopped without finishing" in closed.error_summary


def test_a_batch_sweeps_dead_rows_of_every_command_at_start(settings, tmp_path) -> None:
    process, killed = start_sleeping_run()
    kill_and_wait(process, lock_name="command:run_test_ok")
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text(
        'groups:\n  g:\n    default_time: "01:00"\n    tasks:\n'
        "      - command: run_test_fail\n        schedule: daily\n",
        encoding="utf-8",
    )
    settings.BOOST_COLLECTOR_SCHEDULE_YAML = str(schedule)
    with pytest.raises(Exception, match="1 failed"):
        call_command("run_scheduled_collectors", "--schedule", "daily", stdout=StringIO())
    killed.refresh_from_db()
    assert killed.status == "abandoned"
    batch = CollectorRun.objects.get(kind=RunKind.BATCH)
    assert batch.lock_name == "batch:daily:all"


def test_rows_written_finished_never_look_alive() -> None:
    with AdvisoryLock("command:run_test_ok") as lock:
        assert lock.acquire()
        call_command("run_test_ok", stdout=StringIO())
    skipped = CollectorRun.objects.get()
    assert (skipped.status, skipped.lock_name) == ("skipped", "")
    assert skipped.finished_at == skipped.started_at
