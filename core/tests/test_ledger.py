"""The run ledger: one row per run with the right fields, for every outcome."""

from __future__ import annotations

import os
import socket
from functools import partial

import pytest
from django.core.management.base import CommandError
from django.db import connection

from core import runs
from core.locks import AdvisoryLock, lock_key
from core.models import CollectorRun
from core.tests.conftest import RecordingCollector

pytestmark = pytest.mark.django_db


def other_session():
    """A second, independent PostgreSQL session (as another process would have)."""
    raw = connection.get_new_connection(connection.get_connection_params())
    raw.autocommit = True
    return raw


def test_success_row(run_recording) -> None:
    run_recording(RecordingCollector)
    run = CollectorRun.objects.get()
    assert run.kind == "collector"
    assert run.collector == "recording"
    assert run.command == "conftest"  # the module name of the command class
    assert run.trigger == "manual"
    assert run.status == "succeeded"
    assert run.exit_code == 0
    assert run.failure_category == ""
    assert run.error_summary == ""
    assert run.counters == {"fetched": 3, "created": 2}
    assert run.finished_at is not None
    assert run.finished_at >= run.started_at
    assert run.duration_seconds is not None
    assert run.duration_seconds >= 0
    assert run.host == socket.gethostname()
    assert run.pid == os.getpid()


def test_failure_row_keeps_category_phase_error_and_partial_counters(run_recording) -> None:
    error = ConnectionResetError(104, "Connection reset by peer")
    with pytest.raises(ConnectionResetError):
        run_recording(partial(RecordingCollector, fail_in="sync_pinecone", error=error))
    run = CollectorRun.objects.get()
    assert run.status == "failed"
    assert run.exit_code == 1
    assert run.failure_category == "network"
    assert run.phase == "sync_pinecone"
    assert "Connection reset by peer" in run.error_summary
    assert run.counters == {"fetched": 3, "created": 2}


def test_command_error_row(run_recording) -> None:
    error = CommandError("HEARTBEAT_DEMO_API_KEY is not set")
    with pytest.raises(CommandError):
        run_recording(partial(RecordingCollector, fail_in="validate_config", error=error))
    run = CollectorRun.objects.get()
    assert (run.status, run.exit_code, run.failure_category, run.phase) == (
        "failed",
        1,
        "command",
        "run",
    )
    assert run.error_summary == "CommandError: HEARTBEAT_DEMO_API_KEY is not set"


def test_long_error_is_shortened(run_recording) -> None:
    error = ValueError("x" * 5000)
    with pytest.raises(ValueError, match="xxx"):
        run_recording(partial(RecordingCollector, fail_in="collect", error=error))
    assert len(CollectorRun.objects.get().error_summary) == runs.ERROR_SUMMARY_MAX_CHARS


def test_second_concurrent_run_is_skipped(run_recording) -> None:
    holder = other_session()
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lock_key("command:conftest")])
        command, out = run_recording(RecordingCollector)
    finally:
        holder.close()
    assert command.built[0].events == []  # type: ignore[attr-defined]
    run = CollectorRun.objects.get()
    assert (run.status, run.exit_code) == ("skipped", 0)
    assert "another run of conftest is in progress" in run.error_summary
    assert "recording: skipped" in out


def test_skipped_message_names_the_running_run(run_recording) -> None:
    running = runs.start_run(command="conftest", collector="recording")
    lock = AdvisoryLock("command:conftest")
    assert lock.acquire()
    try:
        _, out = run_recording(RecordingCollector)
    finally:
        lock.release()
    assert f"run #{running.pk} on {running.host}" in out


def test_run_after_lock_release_proceeds(run_recording) -> None:
    lock = AdvisoryLock("command:conftest")
    assert lock.acquire()
    lock.release()
    run_recording(RecordingCollector)
    assert CollectorRun.objects.get().status == "succeeded"


def test_wait_lock_gives_up_after_timeout(run_recording, settings) -> None:
    settings.COLLECTOR_LOCK_WAIT_SECONDS = 1
    holder = other_session()
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lock_key("command:conftest")])
        _, out = run_recording(RecordingCollector, "--wait-lock")
    finally:
        holder.close()
    assert "skipped" in out
    assert CollectorRun.objects.get().status == "skipped"


def test_wait_lock_runs_when_free(run_recording) -> None:
    run_recording(RecordingCollector, "--wait-lock")
    assert CollectorRun.objects.get().status == "succeeded"


def test_run_context_sets_trigger_group_and_parent(run_recording) -> None:
    batch = runs.start_run(command="run_scheduled_collectors", kind="batch")
    with runs.run_context(trigger="schedule", group="github", parent_id=batch.pk):
        run_recording(RecordingCollector)
    child = CollectorRun.objects.get(kind="collector")
    assert (child.trigger, child.group, child.parent_id) == ("schedule", "github", batch.pk)
    assert runs.current_run_context().trigger == "manual"


def test_run_context_rejects_unknown_trigger() -> None:
    with (
        pytest.raises(ValueError, match="unknown run trigger 'cron'"),
        runs.run_context(trigger="cron"),
    ):
        pass


def test_finish_run_rejects_running_status() -> None:
    run = runs.start_run(command="x")
    with pytest.raises(ValueError, match="must be succeeded, failed or skipped"):
        runs.finish_run(run=run, status="running", exit_code=0)


def test_lock_is_exclusive_between_sessions() -> None:
    first, second = AdvisoryLock("batch:github"), AdvisoryLock("batch:github")
    assert first.acquire()
    try:
        assert not second.acquire()
        with pytest.raises(RuntimeError, match="already held"):
            first.acquire()
    finally:
        first.release()
    assert second.acquire()
    second.release()
    second.release()  # releasing twice is harmless


def test_lock_keys_differ_by_name() -> None:
    assert lock_key("command:a") != lock_key("command:b")
    assert -(2**63) <= lock_key("command:a") < 2**63
    with pytest.raises(ValueError, match="must not be empty"):
        AdvisoryLock("")


@pytest.mark.parametrize(
    ("name", "amount", "message"),
    [
        ("", 1, "counter name"),
        ("two words", 1, "counter name"),
        ("fetched", -1, "non-negative integer"),
        ("fetched", 1.5, "non-negative integer"),
        ("fetched", True, "non-negative integer"),
    ],
)
def test_counters_reject_bad_input(name, amount, message) -> None:
    with pytest.raises(ValueError, match=message):
        runs.RunCounters().add(name, amount)


def test_counter_summary_reads_like_a_sentence() -> None:
    counters = runs.RunCounters()
    counters.add(runs.NOT_MODIFIED, 38)
    counters.add(runs.API_REQUESTS, 41)
    counters.add(runs.UPDATED, 3)
    counters.add(runs.CREATED, 15)
    counters.add(runs.FETCHED, 120)
    counters.add("rate_limit_waits", 2)
    assert counters.summary() == (
        "120 fetched, 15 created, 3 updated, 41 API requests (38 not modified), 2 rate limit waits"
    )
    assert counters.get("missing") == 0


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.04, "0.0s"),
        (3.21, "3.2s"),
        (59.9, "59.9s"),
        (245, "4m05s"),
        (723, "12m03s"),
        (7380, "2h03m"),
    ],
)
def test_format_duration(seconds, text) -> None:
    assert runs.format_duration(seconds) == text
