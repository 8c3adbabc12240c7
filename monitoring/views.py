"""Operator views: `/health/` (JSON), `/metrics` (Prometheus) and the status pages."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

from core import selectors
from monitoring import charts, health
from monitoring.metrics import LedgerCollector


def _token_ok(request: HttpRequest) -> bool:
    expected = settings.HEALTH_CHECK_TOKEN
    if not expected:
        return True
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), expected)


@never_cache
@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    """200 when every check passes, 503 otherwise; the body says which failed and why."""
    if not _token_ok(request):
        return JsonResponse({"status": "unauthorized"}, status=401)
    healthy, report = health.health_report()
    return JsonResponse(report, status=200 if healthy else 503)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _token_ok(request):
        return HttpResponse("unauthorized\n", status=401, content_type="text/plain")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LedgerCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


@login_required
@require_GET
def status_view(request: HttpRequest) -> HttpResponse:
    """Each group's freshness and trend, then the latest runs."""
    now = timezone.now()
    stale_after = timezone.timedelta(hours=settings.HEALTH_COLLECTOR_STALE_HOURS)
    groups = selectors.group_states(groups=health.known_groups(), now=now, stale_after=stale_after)
    context = {
        "groups": [
            {"state": state, "sparkline": charts.sparkline(state.durations)} for state in groups
        ],
        "runs": selectors.latest_runs(limit=50),
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
