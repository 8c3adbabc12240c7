"""The Slack document source of the search index.

Two kinds of document:

- **one per thread**: the root and every reply in time order, each under a line
  naming its author and date (`slack-<team>-<channel>-thread-<root ts>`);
- **one per channel-day** for messages outside threads (`slack-<team>-<channel>-day-
  <YYYY-MM-DD>`, UTC). A channel-day, not a burst of one user: its id never moves
  (a burst's edges shift when a message arrives in its gap, which would delete and
  re-add documents), it reads as the conversation it was, and the search app chunks
  a busy day anyway.

Every document carries its team (`team` metadata and the id), so a query can be
filtered to one team and teams never mix (the reference sent every team's messages
to every team's namespace). The change time is the newest `row_changed_at` of the
messages it is built from (deleted ones included: a deletion changes the document)
and of its channel. A document with no live message left is a tombstone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Max, Q

from cppa_pinecone_sync.documents import Change, Document, DocumentSource, Tombstone
from cppa_slack_tracker.models import SlackChannel, SlackMessage, SlackUser

SOURCE = "slack"
THREAD, DAY = "thread", "day"
_PREFIX = "slack-"
_BATCH = 500
MEMBERSHIP_SUBTYPES = ("channel_join", "channel_leave")

Key = tuple[int, str, str]  # (channel pk, THREAD|DAY, root ts | ISO date)


def doc_id_of(channel: SlackChannel, kind: str, ref: str) -> str:
    return f"{_PREFIX}{channel.team.team_id}-{channel.channel_id}-{kind}-{ref}"


def _keys_of(message: SlackMessage) -> list[tuple[str, str]]:
    """The documents a message belongs to (or belonged to: a root that became a thread
    leaves its day's document, which must be rebuilt too)."""
    keys = []
    if message.thread_ts and (message.is_reply or message.reply_count > 0):
        keys.append((THREAD, message.thread_ts))
    if not message.is_reply:
        keys.append((DAY, message.posted_at.astimezone(UTC).date().isoformat()))
    return keys


def changed_keys(since: datetime | None) -> list[Key]:
    """Documents whose messages or channel changed at/after `since`, oldest change first."""
    messages = SlackMessage.objects.all()
    channels = SlackChannel.objects.all()
    if since is not None:
        messages = messages.filter(row_changed_at__gte=since)
        channels = channels.filter(row_changed_at__gte=since)
    changed: dict[Key, datetime] = {}
    rows = messages.only(
        "channel_id", "ts", "thread_ts", "reply_count", "posted_at", "row_changed_at"
    )
    for message in rows.iterator(chunk_size=2000):
        for kind, ref in _keys_of(message):
            key = (message.channel_id, kind, ref)
            moment: datetime = message.row_changed_at  # type: ignore[assignment]
            changed[key] = max(changed.get(key, moment), moment)
    moved = list(channels.values_list("pk", "row_changed_at"))
    for channel_pk, moment in moved:
        for message in SlackMessage.objects.filter(channel_id=channel_pk).only(
            "channel_id", "ts", "thread_ts", "reply_count", "posted_at"
        ):
            for kind, ref in _keys_of(message):
                key = (channel_pk, kind, ref)
                changed[key] = max(changed.get(key, moment), moment)
    return sorted(changed, key=lambda k: (changed[k], k))


def changed_since(since: datetime | None) -> Iterator[Change]:
    keys = changed_keys(since)
    for start in range(0, len(keys), _BATCH):
        yield from _changes(keys[start : start + _BATCH])


def load(doc_ids: Sequence[str]) -> Iterator[Change]:
    wanted: list[tuple[str, str, str, str]] = []
    for doc_id in doc_ids:
        parts = doc_id[len(_PREFIX) :].split("-", 3) if doc_id.startswith(_PREFIX) else []
        if len(parts) == 4 and parts[2] in (THREAD, DAY):
            wanted.append((parts[0], parts[1], parts[2], parts[3]))
    channels = {
        (c.team.team_id, c.channel_id): c.pk
        for c in SlackChannel.objects.select_related("team").filter(
            channel_id__in=[w[1] for w in wanted]
        )
    }
    keys = [(channels[(t, c)], k, r) for t, c, k, r in wanted if (t, c) in channels]
    yield from _changes(keys)


def newest_change() -> datetime | None:
    newest = [
        SlackMessage.objects.aggregate(m=Max("row_changed_at"))["m"],
        SlackChannel.objects.aggregate(m=Max("row_changed_at"))["m"],
    ]
    present = [m for m in newest if m is not None]
    return max(present) if present else None


def _changes(keys: Sequence[Key]) -> Iterator[Change]:
    channels = {
        c.pk: c
        for c in SlackChannel.objects.select_related("team").filter(pk__in={k[0] for k in keys})
    }
    names = _author_names({c.team_id for c in channels.values()})
    for channel_pk, kind, ref in keys:
        channel = channels.get(channel_pk)
        if channel is None:
            continue
        messages = list(_messages_of(channel, kind, ref))
        yield _change(channel, kind, ref, messages, names)


def _messages_of(channel: SlackChannel, kind: str, ref: str) -> Iterable[SlackMessage]:
    rows = SlackMessage.objects.filter(channel=channel)
    if kind == THREAD:
        rows = rows.filter(Q(thread_ts=ref) | Q(ts=ref))
    else:
        day = date.fromisoformat(ref)
        start = datetime.combine(day, time(), tzinfo=UTC)
        rows = rows.filter(posted_at__gte=start, posted_at__lt=start + timedelta(days=1))
    return rows.order_by("posted_at", "ts")


def _belongs(message: SlackMessage, kind: str) -> bool:
    if message.is_deleted or message.subtype in MEMBERSHIP_SUBTYPES:
        return False
    if kind == THREAD:
        return True
    in_thread = message.is_reply or message.reply_count > 0
    return not in_thread


def _change(
    channel: SlackChannel,
    kind: str,
    ref: str,
    messages: list[SlackMessage],
    names: dict[tuple[int, str], str],
) -> Change:
    doc_id = doc_id_of(channel, kind, ref)
    stamps = [m.row_changed_at for m in messages] + [channel.row_changed_at]
    changed_at = max(stamps)
    live = [m for m in messages if _belongs(m, kind)]
    if (
        kind == THREAD
        and not any(m.is_reply for m in live)
        and not any(m.ts == ref and m.reply_count > 0 and not m.is_deleted for m in messages)
    ):
        live = []
    if not live or not any(m.text.strip() for m in live):
        return Tombstone(doc_id=doc_id, changed_at=changed_at)
    team = channel.team

    def author(message: SlackMessage) -> str:
        return names.get((team.pk, message.user_id), "") or message.user_id or message.bot_id

    parts = []
    for message in live:
        heading = f"{author(message) or 'someone'} on {message.posted_at:%Y-%m-%d %H:%M}:"
        parts.append(f"{heading}\n{message.text.strip()}")
    first = live[0]
    if kind == THREAD:
        headline = " ".join(first.text.split())[:80]
        title = f"#{channel.name} thread: {headline}"
        url = _permalink(team.url, channel.channel_id, ref)
    else:
        title = f"#{channel.name} on {ref}"
        url = _permalink(team.url, channel.channel_id, first.ts)
    return Document(
        doc_id=doc_id,
        url=url,
        title=title,
        text="\n\n".join(parts),
        updated_at=max(m.edited_at or m.posted_at for m in live),
        changed_at=changed_at,
        admin_path=f"/admin/cppa_slack_tracker/slackmessage/{first.pk}/change/",
        metadata={
            "team": team.team_id,
            "team_name": team.name,
            "channel": channel.name,
            "channel_id": channel.channel_id,
            "kind": kind,
            "authors": sorted({author(m) for m in live if author(m)}),
            "started_at": first.posted_at.isoformat(),
            "last_at": live[-1].posted_at.isoformat(),
            "messages": len(live),
        },
    )


def _permalink(team_url: str, channel_id: str, ts: str) -> str:
    base = team_url.rstrip("/") if team_url else "https://slack.com"
    return f"{base}/archives/{channel_id}/p{ts.replace('.', '')}"


def _author_names(team_pks: set[int]) -> dict[tuple[int, str], str]:
    rows = SlackUser.objects.filter(team_id__in=team_pks).values_list(
        "team_id", "user_id", "display_name", "real_name", "name"
    )
    return {(t, u): d or r or n for t, u, d, r, n in rows}


SLACK_SOURCE = DocumentSource(
    name=SOURCE,
    namespace="slack",
    changed_since=changed_since,
    load=load,
    newest_change=newest_change,
    description="Slack threads (root and replies) and channel-days of other messages",
)
