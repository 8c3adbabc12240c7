"""Every write of the Slack tables: upserts on Slack's ids, deletions as flags.

Collectors re-read overlap windows and threads, so every write is an upsert that
changes only what differs (`core.bulk.upsert`): an unchanged re-read writes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core.bulk import UpsertCounts, upsert
from cppa_slack_tracker.items import ChannelItem, MessageItem, TeamItem, UserItem
from cppa_slack_tracker.models import (
    MembershipAction,
    SlackChannel,
    SlackMembership,
    SlackMembershipEvent,
    SlackMessage,
    SlackTeam,
    SlackUser,
)
from cppa_slack_tracker.parsers import ts_moment

JOIN_SUBTYPES = {"channel_join": MembershipAction.JOIN, "channel_leave": MembershipAction.LEAVE}


def upsert_team(*, item: TeamItem, token_label: str) -> tuple[SlackTeam, UpsertCounts]:
    """Store a team by its id; return the row and what changed."""
    if not item.team_id:
        raise ValueError("a team needs its Slack id")
    row = {
        "team_id": item.team_id,
        "name": item.name,
        "domain": item.domain,
        "url": item.url,
        "token_label": token_label,
    }
    counts = upsert(
        model=SlackTeam,
        rows=[row],
        unique_fields=["team_id"],
        update_fields=["name", "domain", "url", "token_label"],
    )
    return SlackTeam.objects.get(team_id=item.team_id), counts


def upsert_users(*, team: SlackTeam, items: Sequence[UserItem]) -> UpsertCounts:
    """Insert new members and refresh changed ones, keyed on (team, member id)."""
    fields = [
        "name",
        "real_name",
        "display_name",
        "email",
        "title",
        "tz",
        "is_bot",
        "is_app_user",
        "is_deleted",
        "is_admin",
        "updated_at",
    ]
    rows = [
        {"team": team.pk, "user_id": i.source_id, **{f: getattr(i, f) for f in fields}}
        for i in items
    ]
    return upsert(
        model=SlackUser, rows=rows, unique_fields=["team", "user_id"], update_fields=fields
    )


CHANNEL_FIELDS = [
    "name",
    "is_private",
    "is_archived",
    "is_member",
    "topic",
    "purpose",
    "creator_id",
    "created_at",
    "num_members",
]


def upsert_channels(*, team: SlackTeam, items: Sequence[ChannelItem]) -> UpsertCounts:
    """Insert new channels and refresh changed ones, keyed on (team, channel id)."""
    rows = [
        {"team": team.pk, "channel_id": i.source_id, **{f: getattr(i, f) for f in CHANNEL_FIELDS}}
        for i in items
    ]
    return upsert(
        model=SlackChannel,
        rows=rows,
        unique_fields=["team", "channel_id"],
        update_fields=CHANNEL_FIELDS,
    )


MESSAGE_FIELDS = [
    "posted_at",
    "user_id",
    "bot_id",
    "subtype",
    "text",
    "thread_ts",
    "reply_count",
    "latest_reply",
    "latest_reply_at",
    "edited_at",
    "files",
    "reactions",
    "is_deleted",
]


def upsert_messages(*, channel: SlackChannel, items: Sequence[MessageItem]) -> UpsertCounts:
    """Store messages keyed on (channel, ts); one seen again is no longer deleted.

    `channel_join`/`channel_leave` messages also become membership events.
    """
    rows = []
    for i in items:
        rows.append(
            {
                "channel": channel.pk,
                "ts": i.source_id,
                "posted_at": i.posted_at,
                "user_id": i.user_id,
                "bot_id": i.bot_id,
                "subtype": i.subtype,
                "text": i.text,
                "thread_ts": i.thread_ts,
                "reply_count": i.reply_count,
                "latest_reply": i.latest_reply,
                "latest_reply_at": ts_moment(i.latest_reply) if i.latest_reply else None,
                "edited_at": i.edited_at,
                "files": list(i.files),
                "reactions": i.reactions,
                "is_deleted": False,
            }
        )
    with transaction.atomic():
        counts = upsert(
            model=SlackMessage,
            rows=rows,
            unique_fields=["channel", "ts"],
            update_fields=MESSAGE_FIELDS,
        )
        events = [
            (i.user_id, JOIN_SUBTYPES[i.subtype], i.posted_at, i.source_id)
            for i in items
            if i.subtype in JOIN_SUBTYPES and i.user_id
        ]
        _record_events(channel=channel, events=events)
    return counts


def _record_events(
    *, channel: SlackChannel, events: Sequence[tuple[str, str, datetime, str]]
) -> int:
    rows = [
        {"channel": channel.pk, "user_id": u, "action": a, "at": at, "source_ref": ref}
        for u, a, at, ref in events
    ]
    counts = upsert(
        model=SlackMembershipEvent,
        rows=rows,
        unique_fields=["channel", "user_id", "action", "source_ref"],
        update_fields=["at"],
    )
    return counts.created


def mark_messages_deleted(
    *, channel: SlackChannel, oldest: datetime | None, seen: Collection[str]
) -> int:
    """Flag the channel's history messages (not thread replies) posted at/after `oldest`
    that a complete re-read of that window did not return; return how many."""
    candidates = SlackMessage.objects.filter(channel=channel, is_deleted=False)
    if oldest is not None:
        candidates = candidates.filter(posted_at__gte=oldest)
    missing = [
        row.pk
        for row in candidates.only("pk", "ts", "thread_ts", "subtype")
        if row.ts not in seen and (not row.is_reply or row.subtype == "thread_broadcast")
    ]
    return _flag_deleted(missing)


def mark_thread_read(
    *, channel: SlackChannel, thread_ts: str, state: str, seen: Collection[str]
) -> int:
    """Record that a whole thread was read in `state` (`<latest_reply>/<reply_count>`),
    flagging its stored replies the read did not return; return how many were flagged."""
    with transaction.atomic():
        replies = SlackMessage.objects.filter(
            channel=channel, thread_ts=thread_ts, is_deleted=False
        ).exclude(ts=thread_ts)
        missing = [row.pk for row in replies.only("pk", "ts") if row.ts not in seen]
        flagged = _flag_deleted(missing)
        SlackMessage.objects.filter(channel=channel, ts=thread_ts).exclude(
            thread_read_state=state
        ).update(thread_read_state=state)
    return flagged


def mark_thread_deleted(*, channel: SlackChannel, thread_ts: str) -> int:
    """Flag a whole thread (Slack answers `thread_not_found`): root and replies."""
    rows = SlackMessage.objects.filter(channel=channel, thread_ts=thread_ts, is_deleted=False)
    ids = list(rows.values_list("pk", flat=True))
    ids += list(
        SlackMessage.objects.filter(channel=channel, ts=thread_ts, is_deleted=False)
        .exclude(pk__in=ids)
        .values_list("pk", flat=True)
    )
    return _flag_deleted(ids)


def _flag_deleted(ids: list[int]) -> int:
    if not ids:
        return 0
    # `update()` skips auto_now: the search sync must see the change.
    return SlackMessage.objects.filter(pk__in=ids).update(
        is_deleted=True, row_changed_at=timezone.now()
    )


def sync_channel_members(
    *, channel: SlackChannel, member_ids: Collection[str], at: datetime
) -> tuple[int, int]:
    """Bring the channel's membership to `member_ids`; log each difference as an event.

    Returns (joined, left). The first sync of a channel records its members without
    events: nobody joined, we just had not looked yet.
    """
    wanted = set(member_ids)
    with transaction.atomic():
        current = {
            m.user_id: m
            for m in SlackMembership.objects.select_for_update().filter(channel=channel)
        }
        first = not current
        now_in = {u for u, m in current.items() if m.is_member}
        joined = sorted(wanted - now_in)
        left = sorted(now_in - wanted)
        for user_id in joined:
            SlackMembership.objects.update_or_create(
                channel=channel, user_id=user_id, defaults={"is_member": True, "changed_at": at}
            )
        SlackMembership.objects.filter(channel=channel, user_id__in=left).update(
            is_member=False, changed_at=at
        )
        if first:
            return 0, 0
        ref = f"members:{at.isoformat()}"
        events = [(u, MembershipAction.JOIN, at, ref) for u in joined]
        events += [(u, MembershipAction.LEAVE, at, ref) for u in left]
        _record_events(channel=channel, events=events)
    return len(joined), len(left)
