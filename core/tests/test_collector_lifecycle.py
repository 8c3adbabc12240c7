"""The collector lifecycle as the tutorial describes it, on the real command class."""

from __future__ import annotations

import logging
from functools import partial

import pytest
from django.core.management.base import CommandError

from core.collectors import AbstractCollector
from core.models import CollectorRun
from core.tests.conftest import RecordingCollector, RecordingCommand

pytestmark = pytest.mark.django_db


def collector_of(command: RecordingCommand) -> RecordingCollector:
    built = command.built[0]
    assert isinstance(built, RecordingCollector)
    return built


def test_hooks_run_in_order_with_phase_set_and_cleared(run_recording) -> None:
    command, out = run_recording(RecordingCollector)
    collector = collector_of(command)
    assert collector.events == ["validate_config", "collect", "sync_pinecone"]
    assert collector.phases_seen == ["run", "run", "sync_pinecone"]
    assert collector._error_phase is None
    assert "recording: succeeded in" in out
    assert "3 fetched, 2 created" in out


def test_validation_failure_stops_before_collect(run_recording) -> None:
    with pytest.raises(ValueError, match="failure in validate_config"):
        run_recording(
            partial(
                RecordingCollector,
                fail_in="validate_config",
                error=ValueError("failure in validate_config"),
            )
        )


def test_failed_run_never_reaches_sync_pinecone(run_recording) -> None:
    with pytest.raises(RuntimeError, match="failure in collect"):
        _command, _ = run_recording(partial(RecordingCollector, fail_in="collect"))
    run = CollectorRun.objects.get()
    assert run.phase == "run"
    assert run.status == "failed"


def test_other_exception_reaches_handle_error_once_and_is_reraised(run_recording) -> None:
    factory_calls: list[RecordingCollector] = []

    def factory(**kwargs):
        collector = RecordingCollector(fail_in="collect", **kwargs)
        factory_calls.append(collector)
        return collector

    with pytest.raises(RuntimeError, match="failure in collect") as raised:
        run_recording(factory)
    collector = factory_calls[0]
    assert collector.events == ["validate_config", "collect", "handle_error"]
    assert collector.handled == [raised.value]
    assert collector._error_phase is None


def test_sync_failure_is_recorded_in_its_phase(run_recording) -> None:
    with pytest.raises(RuntimeError):
        run_recording(partial(RecordingCollector, fail_in="sync_pinecone"))
    run = CollectorRun.objects.get()
    assert (run.phase, run.status, run.exit_code) == ("sync_pinecone", "failed", 1)


def test_command_error_skips_handle_error_and_keeps_returncode(run_recording, caplog) -> None:
    created: list[RecordingCollector] = []

    def factory(**kwargs):
        collector = RecordingCollector(
            fail_in="collect", error=CommandError("TOKEN is not set", returncode=3), **kwargs
        )
        created.append(collector)
        return collector

    caplog.set_level(logging.ERROR)
    with pytest.raises(CommandError) as raised:
        run_recording(factory)
    assert raised.value.returncode == 3
    assert "handle_error" not in created[0].events
    assert created[0]._error_phase is None
    record = next(r for r in caplog.records if "TOKEN is not set" in r.getMessage())
    assert record.failure_category == "command"  # type: ignore[attr-defined]
    assert record.collector == "recording"  # type: ignore[attr-defined]
    run = CollectorRun.objects.get()
    assert (run.status, run.exit_code, run.failure_category) == ("failed", 3, "command")


def test_error_phase_cleared_and_original_raised_when_handle_error_breaks(run_recording) -> None:
    created: list[RecordingCollector] = []

    def broken_handler(exc: BaseException) -> None:
        raise RuntimeError("handler broke")

    def factory(**kwargs):
        collector = RecordingCollector(fail_in="collect", **kwargs)
        collector.handle_error = broken_handler  # type: ignore[method-assign]
        created.append(collector)
        return collector

    with pytest.raises(RuntimeError, match="failure in collect"):
        run_recording(factory)
    assert created[0]._error_phase is None
    assert CollectorRun.objects.get().error_summary == "RuntimeError: failure in collect"


def test_error_phase_cleared_when_logging_raises(run_recording, monkeypatch) -> None:
    created: list[RecordingCollector] = []

    def factory(**kwargs):
        collector = RecordingCollector(fail_in="collect", **kwargs)
        created.append(collector)
        return collector

    def exploding_error(*args, **kwargs):
        raise OSError("log disk full")

    monkeypatch.setattr(
        logging.getLogger("core.collectors.base_collector"), "error", exploding_error
    )
    with pytest.raises(RuntimeError, match="failure in collect"):
        run_recording(factory)
    assert created[0]._error_phase is None


def test_failing_get_collector_is_logged_and_recorded(run_recording, caplog) -> None:
    def factory(**kwargs):
        raise ValueError("--since must be a date, got 'yesterday'")

    caplog.set_level(logging.ERROR)
    with pytest.raises(ValueError, match="--since"):
        run_recording(factory)
    assert any("could not build the collector" in r.getMessage() for r in caplog.records)
    run = CollectorRun.objects.get()
    assert (run.phase, run.status, run.failure_category, run.exit_code) == (
        "setup",
        "failed",
        "validation",
        1,
    )


def test_run_cannot_be_overridden() -> None:
    with pytest.raises(TypeError, match="overrides run"):

        class Sneaky(AbstractCollector):  # pyright: ignore[reportUnusedClass]
            name = "sneaky"  # type: ignore[assignment]

            def validate_config(self) -> None: ...

            def collect(self) -> None: ...

            def run(self) -> None: ...


def test_write_tolerates_missing_stdout_and_style() -> None:
    collector = RecordingCollector(stdout=None, style=None)
    collector.write("nothing to write to", style="SUCCESS")
    collector.run()
    assert collector.events == ["validate_config", "collect"]


def test_default_sync_pinecone_is_a_no_op() -> None:
    class Minimal(AbstractCollector):
        @property
        def name(self) -> str:
            return "minimal"

        def validate_config(self) -> None: ...

        def collect(self) -> None: ...

    assert Minimal().sync_pinecone() is None


def test_command_without_get_collector_fails_clearly() -> None:
    from core.collectors import BaseCollectorCommand

    with pytest.raises(NotImplementedError, match="get_collector"):
        BaseCollectorCommand().get_collector()
