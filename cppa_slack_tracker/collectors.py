"""`SlackCollector`: users, channels, members, messages and thread replies of each
configured team, incrementally, losing nothing.

Per channel one checkpoint (`<team>:<channel>`), saved in the transaction of the page
it covers:

- **Backfill** (first run, or `--full`): the whole history, newest first. After each
  page the checkpoint holds `backfill_before` = the oldest ts stored, so a killed
  backfill resumes with `latest=<that ts>` (exclusive): no gap, no duplicate, and no
  dependence on Slack's opaque cursor still being valid days later.
- **Incremental** (backfill complete): re-read from the newest stored ts minus
  SLACK_OVERLAP_DAYS, so edits, deletions and late replies inside the window are
  seen; a history message of the window that the complete re-read did not return is
  marked deleted. The newest ts moves only once the window is read whole.
- **Threads**: a root whose reply count or latest reply differs from when its thread
  was last read (a column, so a crash between a page and its threads is repaired next
  run) is read whole with `conversations.replies`; so is every thread whose last reply
  is within SLACK_THREAD_WATCH_DAYS of the channel's newest message and whose root the
  run's history read did not list (new replies to an old root appear nowhere else).
  Replies a whole read no longer returns are marked deleted.

`--since`/`--until` read a window and leave checkpoints alone. A channel Slack
refuses (`not_in_channel`, `channel_not_found`, `missing_scope`, ...) is reported and
skipped; the other channels go on. An `invalid_auth` or a rate limit that would wait
beyond the run's budget ends the run (categories `auth`, `rate_limit`) with every page
before it stored with its checkpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from core.bad_items import ParsedPage, payload_key
from core.checkpoints import get_checkpoint, save_checkpoint
from core.collectors import AbstractCollector, CollectorFailureCategory
from core.dates import parse_utc_date
from core.http import HttpOptions, SlackApiError
from core.quarantine import QUARANTINED, RELEASED, store_page
from core.runs import CREATED, FETCHED, UPDATED
from core.selectors import count_quarantined
from cppa_pinecone_sync.sync import sync_within_run
from cppa_slack_tracker import search_documents, services
from cppa_slack_tracker.fetchers import SlackFetcher
from cppa_slack_tracker.items import ChannelItem, MessageItem
from cppa_slack_tracker.models import SlackChannel, SlackMessage, SlackTeam
from cppa_slack_tracker.parsers import moment_ts, ts_moment

logger = logging.getLogger(__name__)

NAME = "cppa_slack_tracker"
USERS, CHANNELS, MESSAGES = "users", "channels", "messages"
# Errors that concern one channel only: report it, go on with the others.
CHANNEL_CATEGORIES = (CollectorFailureCategory.PERMISSION, CollectorFailureCategory.NOT_FOUND)


@dataclass
class TeamTally:
    """What one team's part of the run did, for its summary line."""

    users: int = 0
    channels: int = 0
    messages: int = 0
    replies: int = 0
    written: int = 0
    deleted: int = 0
    skipped: int = 0

    def line(self, team: str) -> str:
        return (
            f"{team}: {self.users} users, {self.channels} channels, {self.messages} messages "
            f"and {self.replies} thread replies read, {self.written} rows written, "
            f"{self.deleted} marked deleted, {self.skipped} channels skipped"
        )


class SlackCollector(AbstractCollector):
    """Collect each team whose bot token is configured (SLACK_BOT_TOKEN[_<LABEL>])."""

    def __init__(
        self,
        *,
        http: HttpOptions,
        teams: list[str] | None = None,
        channels: list[str] | None = None,
        streams: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        full: bool = False,
        dry_run: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.http = http
        self.requested_teams = [t.strip() for t in teams or [] if t.strip()]
        self.requested_channels = [c.strip().lstrip("#") for c in channels or [] if c.strip()]
        self.streams = streams or [USERS, CHANNELS, MESSAGES]
        self.since_text, self.until_text = since, until
        self.since: datetime | None = None
        self.until: datetime | None = None
        self.full = full
        self.dry_run = dry_run
        self.tokens: dict[str, str] = {}
        self.started = timezone.now()
        self.tally = TeamTally()
        self._threads_read: dict[int, set[str]] = {}
        self._listed_roots: dict[int, set[str]] = {}

    @property
    def name(self) -> str:
        return NAME

    @property
    def windowed(self) -> bool:
        return self.since is not None or self.until is not None

    def validate_config(self) -> None:
        self.since = parse_utc_date("--since", self.since_text)
        until = parse_utc_date("--until", self.until_text)
        self.until = None if until is None else until + timedelta(days=1)
        if self.since and self.until and self.since >= self.until:
            raise CommandError(f"--since {self.since_text} is after --until {self.until_text}")
        if self.full and self.windowed:
            raise CommandError("--full reads the whole history; drop --since/--until")
        tokens = dict(settings.SLACK_BOT_TOKENS)
        if not tokens:
            raise CommandError(
                "SLACK_BOT_TOKEN is not set (nor any SLACK_BOT_TOKEN_<TEAM>); add the bot "
                "token of each team to .env"
            )
        if self.requested_teams:
            chosen: dict[str, str] = {}
            for wanted in self.requested_teams:
                label = self._label_of(wanted, tokens)
                chosen[label] = tokens[label]
            tokens = chosen
        self.tokens = tokens

    @staticmethod
    def _label_of(wanted: str, tokens: dict[str, str]) -> str:
        """A --team value: a token label, or a stored team's id or domain."""
        if wanted.lower() in tokens:
            return wanted.lower()
        team = SlackTeam.objects.filter(team_id=wanted).first() or (
            SlackTeam.objects.filter(domain=wanted).first()
        )
        if team is not None and team.token_label in tokens:
            return team.token_label
        known = ", ".join(sorted(tokens))
        raise CommandError(
            f"--team {wanted!r} is neither a token label ({known}) nor a stored team id or "
            "domain with a token"
        )

    def collect(self) -> None:
        self.started = timezone.now()
        if self.dry_run:
            self._plan()
            return
        for label, token in self.tokens.items():
            self.tally = TeamTally()
            with self.http.slack_client(token=token, counters=self.counters) as client:
                team = self._collect_team(SlackFetcher(client), label)
            self.write(self.tally.line(team.name or team.team_id))
        kept = count_quarantined(collector=NAME, since=self.started)
        if kept:
            self.count(QUARANTINED, kept)

    def sync_pinecone(self) -> None:
        """Index what the run stored: the `slack` search source, counted as `search_*`.

        The sync runs here, in this run (as `run_github_activity_tracker` does), not as a
        nested `run_cppa_pinecone_sync` command: that would put a second ledger row
        inside every Slack run and batch. Only rows changed since the watermark are read.
        """
        if self.dry_run:
            return
        sync_within_run(names=[search_documents.SOURCE], counters=self.counters)

    def _plan(self) -> None:
        for label in self.tokens:
            team = SlackTeam.objects.filter(token_label=label).first()
            title = f"{team.name or team.team_id}" if team else "not collected yet"
            self.write(f"would collect team {label} ({title}): {', '.join(self.streams)}")
            if team is None:
                continue
            for channel in self._stored_channels(team):
                cursor = get_checkpoint(collector=NAME, source_key=_key(team, channel.channel_id))
                self.write(f"  #{channel.name}: {_describe(cursor, full=self.full)}")

    # --- one team --------------------------------------------------------------

    def _collect_team(self, fetcher: SlackFetcher, label: str) -> SlackTeam:
        auth = fetcher.auth()
        try:
            item = fetcher.team(auth.team.team_id)
        except SlackApiError as exc:
            if exc.category is not CollectorFailureCategory.PERMISSION:
                raise
            item = auth.team  # no team:read scope: auth.test names the team
        team, counts = services.upsert_team(item=item, token_label=label)
        self._tally(counts)
        if USERS in self.streams:
            for page in fetcher.users():
                stored = self._store(
                    f"{team.team_id}:{USERS}",
                    page,
                    lambda c: services.upsert_users(team=team, items=c),
                )
                self.tally.users += len(stored)
        channels: list[SlackChannel] = []
        if CHANNELS in self.streams or MESSAGES in self.streams:
            channels = self._channels(fetcher, team)
        for channel in self.progress.scopes(channels, total=len(channels), noun="channel"):
            try:
                if CHANNELS in self.streams and channel.is_member:
                    self._members(fetcher, channel)
                if MESSAGES in self.streams and channel.is_member:
                    self._messages(fetcher, team, channel)
            except SlackApiError as exc:
                if exc.category not in CHANNEL_CATEGORIES:
                    raise
                self.tally.skipped += 1
                self.count("channels_skipped")
                note = f"#{channel.name} ({channel.channel_id}) skipped: {exc.error}"
                logger.warning(note, extra={"collector": NAME, "source": team.team_id})
                self.write(note, style="WARNING")
        return team

    def _channels(self, fetcher: SlackFetcher, team: SlackTeam) -> list[SlackChannel]:
        listed: list[ChannelItem] = []
        for page in fetcher.channels():
            stored = self._store(
                f"{team.team_id}:{CHANNELS}",
                page,
                lambda c: services.upsert_channels(team=team, items=c),
            )
            listed += stored
        self.tally.channels += len(listed)
        ids = [c.source_id for c in listed]
        wanted = self.requested_channels
        rows = {c.channel_id: c for c in SlackChannel.objects.filter(team=team, channel_id__in=ids)}
        chosen = [rows[i] for i in ids if i in rows]
        if wanted:
            chosen = [c for c in chosen if c.channel_id in wanted or c.name in wanted]
            found = {c.channel_id for c in chosen} | {c.name for c in chosen}
            for name in wanted:
                if name not in found:
                    self.write(f"--channel {name}: not listed for this team", style="WARNING")
        return chosen

    def _stored_channels(self, team: SlackTeam) -> list[SlackChannel]:
        channels = list(SlackChannel.objects.filter(team=team).order_by("name"))
        if self.requested_channels:
            wanted = self.requested_channels
            channels = [c for c in channels if c.channel_id in wanted or c.name in wanted]
        return channels

    def _members(self, fetcher: SlackFetcher, channel: SlackChannel) -> None:
        joined, left = services.sync_channel_members(
            channel=channel, member_ids=fetcher.members(channel.channel_id), at=timezone.now()
        )
        for name, value in (("members_joined", joined), ("members_left", left)):
            if value:
                self.count(name, value)
                self.tally.written += value

    # --- messages of one channel ---------------------------------------------------

    def _messages(self, fetcher: SlackFetcher, team: SlackTeam, channel: SlackChannel) -> None:
        key = _key(team, channel.channel_id)
        if self.windowed:
            oldest = moment_ts(self.since) if self.since else ""
            latest = moment_ts(self.until) if self.until else ""
            for page in fetcher.history(channel.channel_id, oldest=oldest, latest=latest):
                with transaction.atomic():
                    self._store_messages(channel, page)
            self._threads(fetcher, channel, active=False)
            return
        cursor = get_checkpoint(collector=NAME, source_key=key) or {}
        if self.full and not cursor.get("backfill_before"):
            cursor = {"newest_ts": cursor.get("newest_ts", ""), "complete": False}
        if not cursor.get("complete"):
            self._backfill(fetcher, channel, key, cursor)
        self._window(fetcher, channel, key)
        self._threads(fetcher, channel)

    def _backfill(
        self, fetcher: SlackFetcher, channel: SlackChannel, key: str, cursor: dict
    ) -> None:
        """Walk the whole history newest first, a checkpoint with every page."""
        newest = cursor.get("newest_ts", "")
        before = cursor.get("backfill_before", "")
        for page in fetcher.history(channel.channel_id, latest=before):
            with transaction.atomic():
                self._store_messages(channel, page)
                tss = [m.ts for m in page.items] + _bad_ts(page)
                if tss:
                    newest = max([newest, *tss], key=_ts_key) if newest else max(tss, key=_ts_key)
                    before = min(tss, key=_ts_key)
                save_checkpoint(
                    collector=NAME,
                    source_key=key,
                    cursor={"newest_ts": newest, "complete": False, "backfill_before": before},
                )
            # Threads of the page now, so a long backfill stores replies as it goes.
            self._threads(fetcher, channel, active=False)
        with transaction.atomic():
            save_checkpoint(
                collector=NAME, source_key=key, cursor={"newest_ts": newest, "complete": True}
            )

    def _window(self, fetcher: SlackFetcher, channel: SlackChannel, key: str) -> None:
        """Re-read the overlap window; flag what disappeared; move the newest ts."""
        cursor = get_checkpoint(collector=NAME, source_key=key) or {}
        newest = cursor.get("newest_ts", "")
        oldest_at = (
            ts_moment(newest) - timedelta(days=settings.SLACK_OVERLAP_DAYS) if newest else None
        )
        oldest = moment_ts(oldest_at) if oldest_at else ""
        seen: set[str] = set()
        for page in fetcher.history(channel.channel_id, oldest=oldest, inclusive=True):
            with transaction.atomic():
                self._store_messages(channel, page)
            seen |= {m.ts for m in page.items} | set(_bad_ts(page))
        with transaction.atomic():
            deleted = services.mark_messages_deleted(channel=channel, oldest=oldest_at, seen=seen)
            if seen:
                newest = max([newest, *seen], key=_ts_key) if newest else max(seen, key=_ts_key)
            save_checkpoint(
                collector=NAME, source_key=key, cursor={"newest_ts": newest, "complete": True}
            )
        self._deleted(deleted)

    def _threads(self, fetcher: SlackFetcher, channel: SlackChannel, *, active: bool = True):
        """Read whole every thread that waits for a read and, with `active`, every thread
        whose last reply is within SLACK_THREAD_WATCH_DAYS of the channel's newest
        message (new replies to an old root appear nowhere else). Each thread at most
        once per run."""
        roots = SlackMessage.objects.filter(channel=channel, reply_count__gt=0, is_deleted=False)
        wanted = [
            r.ts
            for r in roots.only("ts", "latest_reply", "reply_count", "thread_read_state")
            if r.thread_state != r.thread_read_state
        ]
        newest = (
            SlackMessage.objects.filter(channel=channel)
            .order_by("-posted_at")
            .values_list("posted_at", flat=True)
            .first()
        )
        read = self._threads_read.setdefault(channel.pk, set())
        if active and newest is not None:
            # Roots this run's history read listed carry their current reply count and
            # latest reply: the state check above covers them. Older ones are not listed.
            listed = self._listed_roots.get(channel.pk, set())
            since = newest - timedelta(days=settings.SLACK_THREAD_WATCH_DAYS)
            watched = roots.filter(latest_reply_at__gte=since).values_list("ts", flat=True)
            wanted += [ts for ts in watched if ts not in listed]
        for thread_ts in sorted(set(wanted) - read, key=_ts_key):
            self._thread(fetcher, channel, thread_ts)
            read.add(thread_ts)

    def _thread(self, fetcher: SlackFetcher, channel: SlackChannel, thread_ts: str) -> None:
        pages: list[ParsedPage[MessageItem]] = []
        try:
            pages = list(fetcher.replies(channel.channel_id, thread_ts))
        except SlackApiError as exc:
            if exc.error != "thread_not_found":
                raise
            with transaction.atomic():
                self._deleted(services.mark_thread_deleted(channel=channel, thread_ts=thread_ts))
            return
        seen: set[str] = set()
        with transaction.atomic():
            for page in pages:
                self._store_messages(channel, page, replies=True)
                seen |= {m.ts for m in page.items} | set(_bad_ts(page))
            root = SlackMessage.objects.filter(channel=channel, ts=thread_ts).first()
            flagged = services.mark_thread_read(
                channel=channel,
                thread_ts=thread_ts,
                state=root.thread_state if root else "",
                seen=seen,
            )
        self._deleted(flagged)

    def _store_messages(
        self, channel: SlackChannel, page: ParsedPage[MessageItem], *, replies: bool = False
    ) -> None:
        stored = self._store(
            f"{channel.team.team_id}:{channel.channel_id}",
            page,
            lambda c: services.upsert_messages(channel=channel, items=c),
        )
        if replies:
            self.tally.replies += sum(1 for m in stored if m.is_reply)
        else:
            self.tally.messages += len(stored)
            listed = self._listed_roots.setdefault(channel.pk, set())
            listed |= {m.ts for m in page.items if m.reply_count > 0}

    # --- storing and counting --------------------------------------------------

    def _store(self, scope: str, page: ParsedPage, store: Callable[[Any], Any]) -> list:
        self.progress.page(stream=scope.rsplit(":", 1)[-1], items=len(page.items) + len(page.bad))
        # Kept under Slack's own id (a message's ts), so the item that parses later
        # (stored under its ts) releases it.
        bad = [replace(b, key=payload_key(b.payload, fields=("ts", "id"))) for b in page.bad]
        page = replace(page, bad=bad)
        stored = store_page(
            collector=NAME,
            scope=scope,
            page=page,
            store=store,
            key=lambda item: item.source_id,
        )
        if stored.released:
            self.count(RELEASED, stored.released)
        self.count(FETCHED, len(page.items))
        self._tally(*stored.results)
        return list(stored.stored)

    def _tally(self, *counts: Any) -> None:
        for c in counts:
            self.count(CREATED, c.created)
            self.count(UPDATED, c.updated)
            self.tally.written += c.created + c.updated

    def _deleted(self, count: int) -> None:
        if count:
            self.count("deleted", count)
            self.tally.deleted += count
            self.tally.written += count


def _key(team: SlackTeam, channel_id: str) -> str:
    return f"{team.team_id}:{channel_id}"


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, fraction = ts.partition(".")
    return int(seconds), int((fraction + "000000")[:6])


def _bad_ts(page: ParsedPage) -> list[str]:
    """The ts of quarantined messages of a page: read, so neither deleted nor a gap."""
    found = []
    for bad in page.bad:
        payload = bad.payload
        ts = payload.get("ts") if isinstance(payload, dict) else None
        if isinstance(ts, str) and ts.replace(".", "", 1).isdigit() and "." in ts:
            found.append(ts)
    return found


def _describe(cursor: dict | None, *, full: bool) -> str:
    if full or not cursor:
        return "backfill of the whole history"
    if not cursor.get("complete"):
        return f"resume the backfill before ts {cursor.get('backfill_before') or 'now'}"
    days = settings.SLACK_OVERLAP_DAYS
    return f"incremental from ts {cursor.get('newest_ts')} minus {days} days"
