"""The search page (`/search/`, login required) and its JSON twin (`/api/search`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from cppa_pinecone_sync.backends import SearchHit
from cppa_pinecone_sync.query import BadQuery, build_request, hit_as_dict, search
from cppa_pinecone_sync.registry import registered_sources


@require_GET
@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    chosen = request.GET.getlist("source")
    error, results = "", []
    if query.strip():
        try:
            hits = search(
                build_request(query=query, sources=chosen, limit=request.GET.get("limit", 20))
            )
            results = [{"hit": hit, "snippet": _highlighted(hit)} for hit in hits]
        except BadQuery as exc:
            error = str(exc)
    context = {
        "query": query,
        "chosen": chosen,
        "sources": registered_sources(),
        "results": results,
        "error": error,
        "searched": bool(query.strip()) and not error,
    }
    return render(request, "cppa_pinecone_sync/search.html", context, status=400 if error else 200)


@require_GET
@login_required
def search_api_view(request: HttpRequest) -> JsonResponse:
    try:
        checked = build_request(
            query=request.GET.get("q", ""),
            sources=request.GET.getlist("source"),
            limit=request.GET.get("limit", 10),
        )
    except BadQuery as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    hits = search(checked)
    return JsonResponse(
        {"query": checked.query, "count": len(hits), "results": [hit_as_dict(h) for h in hits]}
    )


def _highlighted(hit: SearchHit) -> SafeString:
    """The snippet escaped, its matches in <mark>: no markup of the indexed text survives."""
    parts, last = [], 0
    for start, end in hit.highlights:
        parts += [
            escape(hit.snippet[last:start]),
            "<mark>",
            escape(hit.snippet[start:end]),
            "</mark>",
        ]
        last = end
    parts.append(escape(hit.snippet[last:]))
    return mark_safe("".join(parts))
