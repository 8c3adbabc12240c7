"""A real Celery worker on the local Redis runs a group batch sent as Beat sends it.

The worker is a separate process using the test database, so the test commits its
data (transaction=True). Without Redis the test is skipped, except under CI=true,
where a missing Redis is a failure: CI must prove the real thing works.

The machine's Redis is shared (another checkout's suite, a developer's worker): the
test's worker consumes a queue of its own, named per run, and nothing else in Redis
is touched. Messages are sent only once the worker says it is ready.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from boost_collector_runner.beat import get_beat_schedule
from boost_collector_runner.schedule import load_schedule
from boost_collector_runner.tasks import run_scheduled_collectors_task
from boost_collector_runner.tests.conftest import ROOT, children
from config.celery import app
from core.models import CollectorRun
from core.testing.manage import manage_env

BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/5")
SCHEDULE = """
groups:
  celerytest:
    default_time: "02:00"
    tasks:
      - command: run_test_ok
        schedule: daily
        args: ["--sleep", "2"]
"""


def require_redis() -> None:
    try:
        redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        reason = f"Redis is not reachable at {BROKER_URL}: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def queue() -> Iterator[str]:
    """A queue no other consumer of this Redis uses; deleted afterwards."""
    name = f"bdc-test-{uuid.uuid4().hex[:12]}"
    yield name
    redis.Redis.from_url(BROKER_URL).delete(name)


def wait_until_ready(log: Path, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while " ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the worker did not become ready; its log:\n{log.read_text()}")
        time.sleep(0.1)


@pytest.fixture
def worker(tmp_path: Path, queue: str) -> Iterator[Path]:
    """Start `celery -A config worker` (2 processes) on the test database and its own
    queue; yield the schedule once it is ready."""
    require_redis()
    schedule_path = tmp_path / "schedule.yaml"
    schedule_path.write_text(SCHEDULE, encoding="utf-8")
    log = (tmp_path / "worker.log").open("w")
    env = manage_env(CELERY_BROKER_URL=BROKER_URL, BOOST_COLLECTOR_SCHEDULE_YAML=str(schedule_path))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-l",
            "info",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--queues",
            queue,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_ready(tmp_path / "worker.log", process)
        yield schedule_path
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_for_batches(count: int, log: Path, timeout: float = 120) -> list[CollectorRun]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = list(CollectorRun.objects.filter(kind="batch").exclude(status="running"))
        if len(done) >= count:
            return done
        time.sleep(0.5)
    pytest.fail(f"the worker finished no batch in {timeout}s; its log:\n{log.read_text()}")


@pytest.mark.django_db(transaction=True)
def test_worker_runs_beat_batch_once_even_when_delivered_twice(worker: Path, queue: str) -> None:
    entry = get_beat_schedule(load_schedule(worker))["boost-collector-group-celerytest-02-00"]
    # Celery accepts a connection here; celery-types does not declare it.
    send: Any = run_scheduled_collectors_task.apply_async
    with app.connection_for_write(BROKER_URL) as conn:
        for _ in range(2):
            send(kwargs=entry["kwargs"], connection=conn, queue=queue)
    batches = wait_for_batches(2, worker.parent / "worker.log")
    assert sorted(b.status for b in batches) == ["skipped", "succeeded"]
    ran = next(b for b in batches if b.status == "succeeded")
    assert (ran.group, ran.trigger, ran.collector) == ("celerytest", "celery", "group batch")
    child = children(ran).get()
    assert (child.command, child.status, child.group) == ("run_test_ok", "succeeded", "celerytest")
    skipped = next(b for b in batches if b.status == "skipped")
    assert "is already running" in skipped.error_summary
    assert not children(skipped).exists()
