"""The demo's label on every page, installed by `config.demo_settings` only."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def demo_banner(request: HttpRequest) -> dict[str, str]:
    return {"demo_banner": settings.DEMO_LABEL}
