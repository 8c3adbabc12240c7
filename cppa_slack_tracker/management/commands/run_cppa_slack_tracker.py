"""Collect Slack users, channels, members, messages and thread replies of each team."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from core.collectors import BaseCollectorCommand
from core.http import HttpOptions, add_http_arguments
from cppa_slack_tracker.collectors import CHANNELS, MESSAGES, USERS, SlackCollector


class Command(BaseCollectorCommand):
    help = "Collect users, channels, messages and thread replies of the Slack teams."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--team",
            action="append",
            metavar="TEAM",
            help="A team to collect (repeatable): a token label (default, or <label> of "
            "SLACK_BOT_TOKEN_<LABEL>) or a stored team id/domain. Default: every team.",
        )
        parser.add_argument(
            "--channel",
            action="append",
            metavar="CHANNEL",
            help="A channel id or name to collect (repeatable). Default: every channel "
            "the bot is a member of.",
        )
        parser.add_argument("--since", metavar="DATE", help="Read from DATE (YYYY-MM-DD, UTC).")
        parser.add_argument("--until", metavar="DATE", help="Read up to DATE (YYYY-MM-DD, UTC).")
        parser.add_argument(
            "--full",
            action="store_true",
            help="Read every channel's whole history again (resumable, like the first run).",
        )
        parser.add_argument("--users", action="store_true", help="Collect users (members).")
        parser.add_argument(
            "--channels", action="store_true", help="Collect channels and their members."
        )
        parser.add_argument(
            "--messages", action="store_true", help="Collect messages and thread replies."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be read; change nothing."
        )
        add_http_arguments(parser)

    def get_collector(self, **options: Any) -> SlackCollector:
        streams = [s for s in (USERS, CHANNELS, MESSAGES) if options[s]]
        return SlackCollector(
            stdout=self.stdout,
            style=self.style,
            http=HttpOptions.from_options(options, source="cppa_slack_tracker"),
            teams=options["team"],
            channels=options["channel"],
            streams=streams,
            since=options["since"],
            until=options["until"],
            full=options["full"],
            dry_run=options["dry_run"],
        )
