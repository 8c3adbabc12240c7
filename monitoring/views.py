"""Operator views: `/health/` (JSON), `/metrics` (Prometheus) and the status pages."""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import Error as DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

from core import selectors
from core.errors import one_line
from cppa_pinecone_sync.selectors import index_lag
from monitoring import charts, health
from monitoring.metrics import LedgerCollector
from reports.selectors import latest_export, latest_report

logger = logging.getLogger(__name__)


TRUSTED, ANONYMOUS, WRONG_TOKEN = "trusted", "anonymous", "wrong_token"


def _caller(request: HttpRequest) -> str:
    """Who is asking: the token's holder, anyone, or someone with a wrong token.

    Without HEALTH_CHECK_TOKEN nobody can prove anything, so a development server
    (DEBUG=True) trusts everyone and production trusts no one.
    """
    expected = settings.HEALTH_CHECK_TOKEN
    if not expected:
        return TRUSTED if settings.DEBUG else ANONYMOUS
    header = request.headers.get("Authorization", "")
    if not header:
        return ANONYMOUS
    scheme, _, given = header.partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), expected):
        return TRUSTED
    return WRONG_TOKEN


def _unauthorized(body: str) -> HttpResponse:
    response = HttpResponse(body, status=401, content_type="text/plain")
    response["WWW-Authenticate"] = "Bearer"
    return response


@never_cache
@require_GET
def health_view(request: HttpRequest) -> HttpResponse:
    """200 when every check passes, 503 otherwise; details only for the token's holder."""
    caller = _caller(request)
    if caller == WRONG_TOKEN:
        return _unauthorized("unauthorized: wrong HEALTH_CHECK_TOKEN\n")
    healthy, report = health.health_report()
    body = report if caller == TRUSTED else health.short_report(report)
    if settings.DEMO_LABEL:
        body = {"demo": settings.DEMO_LABEL, **body}
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text for the token's holder; 503 (not 500) while the database is down."""
    if _caller(request) != TRUSTED:
        if settings.HEALTH_CHECK_TOKEN:
            return _unauthorized("unauthorized: /metrics needs Authorization: Bearer <token>\n")
        return HttpResponse(
            "forbidden: set HEALTH_CHECK_TOKEN to serve /metrics with DEBUG=False\n",
            status=403,
            content_type="text/plain",
        )
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LedgerCollector())
    try:
        body = generate_latest(registry)
    except DatabaseError as exc:
        logger.warning("/metrics: the database is unavailable (%s)", one_line(exc, limit=300))
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


@login_required
@require_GET
def status_view(request: HttpRequest) -> HttpResponse:
    """Each group's freshness and trend, then the latest runs."""
    now = timezone.now()
    stale_after = timezone.timedelta(hours=settings.HEALTH_COLLECTOR_STALE_HOURS)
    known = health.known_groups()
    groups = selectors.group_states(groups=known, now=now, stale_after=stale_after)
    context = {
        "groups": [
            {"state": state, "sparkline": charts.sparkline(state.durations)} for state in groups
        ],
        "not_configured": [g for g in health.unconfigured_groups() if g not in known],
        "runs": selectors.latest_runs(limit=50),
        "search_index": index_lag(backend=settings.SEARCH_BACKEND),
        "latest_report": latest_report(),
        "latest_export": latest_export(),
        "now": now,
    }
    return render(request, "monitoring/status.html", context)


@login_required
@require_GET
def collector_history_view(request: HttpRequest, command: str) -> HttpResponse:
    """One command's recent runs with charts of durations and items over time."""
    history = selectors.collector_history(command=command)
    durations = [run.duration_seconds or 0.0 for run in history]
    items = [float((run.counters or {}).get("fetched", 0)) for run in history]
    context = {
        "command": command,
        "runs": list(reversed(history)),
        "duration_chart": charts.line_chart(durations, label="duration (s)"),
        "items_chart": charts.line_chart(items, label="items fetched"),
    }
    return render(request, "monitoring/collector_history.html", context)
