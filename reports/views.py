"""Serve the written reports and export manifests to signed-in operators.

Files are read only from the directory a `Report` or `Export` row names, and a
requested asset must resolve inside it: no path from a URL reaches anywhere else.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from reports.models import Export, Report


def _file(path: Path, *, inside: Path) -> FileResponse:
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise Http404("file not found") from exc
    if not resolved.is_relative_to(inside.resolve()) or not resolved.is_file():
        raise Http404("file not found")
    kind = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
    if resolved.suffix == ".md":
        kind = "text/markdown; charset=utf-8"
    return FileResponse(resolved.open("rb"), content_type=kind)


@login_required
@require_GET
def report_view(request: HttpRequest, pk: int, asset: str = "") -> FileResponse:
    """The report file itself, or one of its charts/CSVs (`charts/x.svg`, `data/x.csv`)."""
    report = get_object_or_404(Report, pk=pk)
    path = Path(report.path)
    return _file(path.parent / asset if asset else path, inside=path.parent)


@login_required
@require_GET
def export_manifest_view(request: HttpRequest, pk: int) -> FileResponse:
    export = get_object_or_404(Export, pk=pk)
    directory = Path(export.path)
    return _file(directory / "manifest.json", inside=directory)
