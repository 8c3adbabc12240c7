"""The checks behind `/health/`: database, broker, workers, collector freshness, search lag.

Each check returns a small dict with `ok` and, when it fails, an `error` code and a
one-line `detail`; none raises, so a broken dependency answers 503, never 500.
Only the broker and worker checks touch the network, each with a bounded timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connection
from django.utils import timezone

from core import selectors
from core.errors import one_line
from cppa_pinecone_sync.selectors import index_lag

Check = dict[str, Any]


def _failed(code: str, exc: BaseException | str) -> Check:
    return {"ok": False, "error": code, "detail": one_line(exc, limit=300)}


def check_database() -> Check:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return _failed("database_unavailable", exc)
    return {"ok": True, "latency_ms": round((time.monotonic() - started) * 1000, 1)}


def check_broker() -> Check:
    """Ping the Redis broker with a short timeout."""
    if not settings.HEALTH_CHECK_BROKER:
        return {"ok": True, "skipped": True}
    import redis

    timeout = settings.HEALTH_BROKER_TIMEOUT_SECONDS
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as exc:
        return _failed("broker_unreachable", exc)
    return {"ok": True}


def check_workers(ping: Callable[[float], list[Any]] | None = None) -> Check:
    """Ask Celery workers to answer a ping within the timeout."""
    if not settings.HEALTH_CHECK_WORKERS:
        return {"ok": True, "skipped": True}
    timeout = settings.HEALTH_WORKER_TIMEOUT_SECONDS
    try:
        replies = (ping or _celery_ping)(timeout)
    except Exception as exc:  # the broker or Celery itself failed: report, don't raise
        return _failed("workers_unreachable", exc)
    if not replies:
        return _failed("no_workers", f"no Celery worker answered within {timeout}s")
    return {"ok": True, "count": len(replies)}


def _celery_ping(timeout: float) -> list[Any]:
    from config.celery import app

    return app.control.ping(timeout=timeout) or []


def check_collector_groups(
    *, groups: Iterable[str], now: datetime | None = None
) -> dict[str, Check]:
    """Freshness of each daily group: stale without a successful batch in the window."""
    stale_after = timedelta(hours=settings.HEALTH_COLLECTOR_STALE_HOURS)
    states = selectors.group_states(
        groups=groups, now=now or timezone.now(), stale_after=stale_after
    )
    result: dict[str, Check] = {}
    for state in states:
        finished = state.last_success.finished_at if state.last_success else None
        result[state.group] = {
            "last_success_at": finished.isoformat() if finished else None,
            "stale": state.stale,
        }
    return result


def daily_groups() -> tuple[list[str], Check | None]:
    """Group ids with enabled daily tasks in the YAML schedule, or an error check."""
    from boost_collector_runner.schedule import ScheduleError, load_schedule

    try:
        schedule = load_schedule(settings.BOOST_COLLECTOR_SCHEDULE_YAML)
    except ScheduleError as exc:
        return [], _failed("schedule_invalid", exc)
    names = [
        group.name
        for group in schedule.groups
        if any(task.enabled and task.schedule == "daily" for task in group.tasks)
    ]
    return names, None


NOT_CONFIGURED = "not configured"


def unconfigured_groups() -> list[str]:
    """Groups whose daily tasks all say `enabled: false`: a source waiting for its token
    or its deploy. Reported as "not configured", never as stale (nothing is due)."""
    from boost_collector_runner.schedule import ScheduleError, load_schedule

    try:
        schedule = load_schedule(settings.BOOST_COLLECTOR_SCHEDULE_YAML)
    except ScheduleError:
        return []
    names = []
    for group in schedule.groups:
        daily = [task for task in group.tasks if task.schedule == "daily"]
        if daily and not any(task.enabled for task in daily):
            names.append(group.name)
    return names


def check_search_index() -> Check:
    """Per search source: seconds of stored changes not indexed yet, and the retry list.

    Reported, not judged: `ok` is false while documents wait on a retry list, but the
    service stays healthy (the next sync retries them).
    """
    lags = index_lag(backend=settings.SEARCH_BACKEND)
    sources = {
        lag.source: {
            "lag_seconds": lag.lag_seconds,
            "retry_list": lag.retry_list,
            "indexed_until": lag.watermark.isoformat() if lag.watermark else None,
        }
        for lag in lags
    }
    return {
        "ok": not any(lag.retry_list for lag in lags),
        "backend": settings.SEARCH_BACKEND,
        "sources": sources,
    }


def known_groups() -> list[str]:
    """Daily groups of the schedule, then any other group the ledger has runs for."""
    yaml_groups, _problem = daily_groups()
    return list(dict.fromkeys([*yaml_groups, *selectors.ledger_groups()]))


def short_report(report: dict[str, Any]) -> dict[str, Any]:
    """The report without details: status and each check's name and `ok`.

    What anyone may see: hosts, ports, role names and driver messages in the details
    help an attacker more than an uptime check. Collector groups fold into one check.
    """
    checks = {name: {"ok": _passed(check)} for name, check in report["checks"].items()}
    return {"status": report["status"], "checks": checks}


def _passed(check: dict[str, Any]) -> bool:
    if "ok" in check:
        return check["ok"]
    return not any(group["stale"] for group in check.values())  # collector_groups


def health_report() -> tuple[bool, dict[str, Any]]:
    """Run every check; return (healthy, report)."""
    checks: dict[str, Any] = {"database": check_database()}
    checks["broker"] = check_broker()
    checks["workers"] = check_workers()
    healthy = all(checks[name]["ok"] for name in ("database", "broker", "workers"))
    if checks["database"]["ok"]:
        groups, schedule_problem = daily_groups()
        if schedule_problem is not None:
            checks["schedule"] = schedule_problem
            healthy = False
        try:
            checks["collector_groups"] = check_collector_groups(groups=groups)
            for name in unconfigured_groups():
                checks["collector_groups"].setdefault(
                    name, {"last_success_at": None, "stale": False, "status": NOT_CONFIGURED}
                )
            checks["search_index"] = check_search_index()
        except DatabaseError as exc:
            checks["collector_groups"] = _failed("database_unavailable", exc)
            healthy = False
        else:
            if settings.HEALTH_ENFORCE_COLLECTOR_FRESHNESS and any(
                group["stale"] for group in checks["collector_groups"].values()
            ):
                healthy = False
    return healthy, {"status": "healthy" if healthy else "unhealthy", "checks": checks}
