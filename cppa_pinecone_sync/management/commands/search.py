"""Search the index from the shell: `python manage.py search "query" [--source ...]`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser

from core.collectors.reporting import ReportingCommand
from cppa_pinecone_sync.models import Backend
from cppa_pinecone_sync.query import BadQuery, build_request, hit_as_dict, search


class Command(ReportingCommand):
    help = "Search the indexed documents (titles weigh more than text)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help='Words, "a phrase", -excluded, or: either one.')
        parser.add_argument(
            "--source",
            action="append",
            default=[],
            metavar="NAME",
            help="Only this source (repeatable).",
        )
        parser.add_argument("--limit", default=10, help="Most results to show (1-100, default 10).")
        parser.add_argument("--backend", choices=Backend.values, help="Default: SEARCH_BACKEND.")
        parser.add_argument("--json", action="store_true", help="Print the results as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            request = build_request(
                query=options["query"], sources=options["source"], limit=options["limit"]
            )
        except BadQuery as exc:
            raise CommandError(f"search: {exc}") from None
        hits = search(request, backend=options["backend"])
        if options["json"]:
            self.stdout.write(
                json.dumps([hit_as_dict(h) for h in hits], ensure_ascii=False, indent=2)
            )
            return
        if not hits:
            self.stdout.write("no results")
            return
        for number, hit in enumerate(hits, start=1):
            when = f"{hit.updated_at:%Y-%m-%d}" if hit.updated_at else "-"
            self.stdout.write(f"{number}. {hit.title}  [{hit.source}, {when}]")
            self.stdout.write(f"   {hit.url}")
            self.stdout.write(f"   {_marked(hit.snippet, hit.highlights)}")


def _marked(snippet: str, spans) -> str:
    """The snippet with its matches between ** **, readable on any terminal."""
    out, last = [], 0
    for start, end in spans:
        out += [snippet[last:start], "**", snippet[start:end], "**"]
        last = end
    out.append(snippet[last:])
    return "".join(out)
