"""/health/ and the status page against a ledger of 1,000,000 runs, over loopback.

Rows are generated in SQL (20 commands, 5 schedule groups, one batch row per 20 runs
with the other 19 as its task runs, 2 % failures) so set-up takes seconds. Each page
is then requested a few thousand times from gunicorn (as deployed: two sync workers)
over loopback; the summary prints p50/p99 latency per page.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from django.db import connection
from django.test import Client

LEDGER_ROWS = int(os.environ.get("BENCH_LEDGER_ROWS", "1000000"))
ROOT = Path(__file__).resolve().parents[1]
REQUESTS = {
    "health": int(os.environ.get("BENCH_REQUESTS", "2000")),
    "status": int(os.environ.get("BENCH_REQUESTS", "2000")) // 2,
}

# Row i of a block of 20 is its batch when i % 20 = 1; the other 19 are its task runs,
# in the block's group. Ids are set explicitly so children can name their batch.
FILL_LEDGER = """
INSERT INTO core_collectorrun
    (id, parent_id, kind, command, collector, trigger, "group", started_at, finished_at,
     duration_seconds, status, exit_code, failure_category, phase, error_summary, counters,
     host, pid)
SELECT
    %(base)s + i,
    CASE WHEN i %% 20 = 1 THEN NULL ELSE %(base)s + ((i - 1) / 20) * 20 + 1 END,
    CASE WHEN i %% 20 = 1 THEN 'batch' ELSE 'collector' END,
    CASE WHEN i %% 20 = 1 THEN 'run_scheduled_collectors' ELSE 'run_collector_' || (i %% 19) END,
    '',
    'celery',
    'group_' || (((i - 1) / 20) %% 5),
    now() - make_interval(secs => (%(rows)s - i) * 30),
    now() - make_interval(secs => (%(rows)s - i) * 30 - 12),
    12.0 + (i %% 7),
    CASE WHEN i %% 53 = 7 THEN 'failed' ELSE 'succeeded' END,
    CASE WHEN i %% 53 = 7 THEN 1 ELSE 0 END,
    CASE WHEN i %% 53 = 7 THEN 'rate_limit' ELSE '' END,
    CASE WHEN i %% 53 = 7 THEN 'run' ELSE '' END,
    CASE WHEN i %% 53 = 7 THEN 'HTTPStatusError: 403 rate limit exceeded' ELSE '' END,
    jsonb_build_object('fetched', i %% 500, 'created', i %% 40, 'api_requests', i %% 90),
    'bench-host',
    1000 + (i %% 500)
FROM generate_series(1, %(rows)s) AS i
"""

SCHEDULE = "groups:\n" + "".join(
    f'  group_{n}:\n    default_time: "0{n}:00"\n    tasks:\n'
    f"      - command: run_cppa_user_tracker\n        schedule: daily\n"
    for n in range(5)
)


@pytest.fixture
def big_ledger(transactional_db, tmp_path) -> str:
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text(SCHEDULE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM core_collectorrun")
        (base,) = cursor.fetchone() or (0,)
        cursor.execute(FILL_LEDGER, {"rows": LEDGER_ROWS, "base": base})
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('core_collectorrun', 'id'), %s)",
            [base + LEDGER_ROWS],
        )
        cursor.execute("ANALYZE core_collectorrun")
    return str(schedule)


def database_url() -> str:
    """A DATABASE_URL for the test database, so gunicorn's workers read the same rows."""
    params = connection.get_connection_params()
    host = quote(str(params.get("host", "")), safe="")
    port = f":{params['port']}" if params.get("port") else ""
    user = quote(str(params.get("user", "")), safe="")
    password = f":{quote(str(params['password']), safe='')}" if params.get("password") else ""
    return f"postgres://{user}{password}@{host}{port}/{params['dbname']}"


@pytest.fixture
def gunicorn_url(big_ledger) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": database_url(),
        "BOOST_COLLECTOR_SCHEDULE_YAML": big_ledger,
        "HEALTH_CHECK_BROKER": "false",
        "HEALTH_CHECK_WORKERS": "false",
        "LOG_LEVEL": "warning",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/admin/login/", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure(benchmark, record_latency, name: str, client: httpx.Client, path: str, expected: int):
    def one_request() -> None:
        response = client.get(path)
        assert response.status_code == expected, response.text[:2000]

    benchmark.pedantic(one_request, rounds=REQUESTS[name], iterations=1, warmup_rounds=20)
    timings = sorted(benchmark.stats.stats.data)
    p50 = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    record_latency(name, LEDGER_ROWS, len(timings), p50, p99)


def test_health_latency(benchmark, record_latency, gunicorn_url) -> None:
    with httpx.Client(base_url=gunicorn_url, timeout=30) as client:
        measure(benchmark, record_latency, "health", client, "/health/", 200)


def test_status_page_latency(benchmark, record_latency, gunicorn_url, django_user_model):
    user = django_user_model.objects.create_user(username="bench", password="bench-pw-1")
    browser = Client()
    browser.force_login(user)
    cookies = {"sessionid": browser.cookies["sessionid"].value}
    with httpx.Client(base_url=gunicorn_url, cookies=cookies, timeout=30) as client:
        measure(benchmark, record_latency, "status", client, "/status/", 200)
