"""Turn Slack Web API objects into items.

Pure functions of one decoded object and the URL it came from (the fetcher, a replay
and the tests share them), reading fields through `core.http.Payload`: a missing `id`
or `ts`, a `ts` that is not Slack's `seconds.micros`, a list where an object belongs
raise `MalformedResponse` naming the URL, the item and the field.

A message's text is Slack's `text`; when that is empty (messages posted with blocks
only), it is rendered from the `blocks`: rich text (sections, lists, quotes, code),
section/header/context text, and table cells. Block kinds this does not know are
skipped, never an error: Slack adds new ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from core.http import Payload
from core.http.payload import INT_MAX
from cppa_slack_tracker.items import ChannelItem, MessageItem, TeamItem, UserItem

TS = re.compile(r"\d{1,12}\.\d{1,9}")
# Slack ids: a letter then letters and digits (U123ABC, C111, T5YFFM2QY, B0…, W0…).
SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{1,31}")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ts_moment(ts: str) -> datetime:
    """`1434139102.000002` as an aware UTC time (microsecond precision)."""
    seconds, _, fraction = ts.partition(".")
    micros = int((fraction + "000000")[:6])
    return _EPOCH + timedelta(seconds=int(seconds), microseconds=micros)


def moment_ts(moment: datetime) -> str:
    """The ts Slack would give a message posted at `moment` (for oldest/latest)."""
    delta = moment - _EPOCH
    return f"{delta.days * 86400 + delta.seconds}.{delta.microseconds:06d}"


def _ts(obj: Payload, name: str, *, required: bool = False) -> str:
    if required:
        return obj.matching_str(name, TS, meaning="a Slack ts (seconds.micros)")
    value = obj.optional_str(name)
    if value and not TS.fullmatch(value):
        raise obj.wrong(name, value, "a Slack ts (seconds.micros)")
    return value


def _epoch(obj: Payload, name: str) -> datetime | None:
    seconds = obj.optional_int(name, maximum=2**40)
    return None if not seconds else _EPOCH + timedelta(seconds=seconds)


def parse_team(value: Any, *, url: str) -> TeamItem:
    """A `team.info` team object (or the `auth.test` answer, which names the team)."""
    obj = Payload.of(value, url=url, kind="team")
    if "team_id" in obj.data:  # auth.test
        return TeamItem(
            team_id=obj.matching_str("team_id", SLACK_ID, meaning="a Slack team id"),
            name=obj.optional_str("team"),
            url=obj.optional_str("url"),
        )
    return TeamItem(
        team_id=obj.matching_str("id", SLACK_ID, meaning="a Slack team id"),
        name=obj.optional_str("name"),
        domain=obj.optional_str("domain"),
        url=obj.optional_str("url"),
    )


def parse_user(value: Any, *, url: str) -> UserItem:
    obj = Payload.of(value, url=url, kind="member")
    profile = obj.optional_object("profile")
    return UserItem(
        source_id=obj.matching_str("id", SLACK_ID, meaning="a Slack member id"),
        name=obj.optional_str("name"),
        real_name=obj.optional_str("real_name")
        or (profile.optional_str("real_name") if profile else ""),
        display_name=profile.optional_str("display_name") if profile else "",
        email=profile.optional_str("email") if profile else "",
        title=profile.optional_str("title") if profile else "",
        tz=obj.optional_str("tz"),
        is_bot=obj.flag("is_bot"),
        is_app_user=obj.flag("is_app_user"),
        is_deleted=obj.flag("deleted"),
        is_admin=obj.flag("is_admin"),
        updated_at=_epoch(obj, "updated"),
    )


def _value_of(obj: Payload, name: str) -> str:
    """`topic.value` / `purpose.value` (an object with value, creator, last_set)."""
    inner = obj.optional_object(name)
    return inner.optional_str("value") if inner else ""


def parse_channel(value: Any, *, url: str) -> ChannelItem:
    obj = Payload.of(value, url=url, kind="channel")
    return ChannelItem(
        source_id=obj.matching_str("id", SLACK_ID, meaning="a Slack channel id"),
        name=obj.optional_str("name"),
        is_private=obj.flag("is_private") or obj.flag("is_group"),
        is_archived=obj.flag("is_archived"),
        is_member=obj.flag("is_member"),
        topic=_value_of(obj, "topic"),
        purpose=_value_of(obj, "purpose"),
        creator_id=obj.optional_str("creator"),
        created_at=_epoch(obj, "created"),
        num_members=obj.optional_int("num_members", maximum=INT_MAX),
    )


def parse_member_id(value: Any, *, url: str) -> str:
    """One entry of `conversations.members`: a member id."""
    if not isinstance(value, str) or not SLACK_ID.fullmatch(value):
        raise Payload.of({}, url=url, kind="members").wrong("members[]", value, "a member id")
    return value


def _files(obj: Payload) -> tuple[dict[str, Any], ...]:
    files = []
    for entry in obj.optional_objects("files") or []:
        files.append(
            {
                "id": entry.optional_str("id"),
                "name": entry.optional_str("name"),
                "title": entry.optional_str("title"),
                "mimetype": entry.optional_str("mimetype"),
                "filetype": entry.optional_str("filetype"),
                "size": entry.optional_int("size", maximum=2**53),
            }
        )
    return tuple(files)


def _reactions(obj: Payload) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in obj.optional_objects("reactions") or []:
        name = entry.optional_str("name")
        if not name:
            continue
        counts[name] = counts.get(name, 0) + (entry.optional_int("count", maximum=INT_MAX) or 0)
    return counts


def parse_message(value: Any, *, url: str) -> MessageItem:
    """A message of conversations.history or .replies (a root, a reply, a broadcast...)."""
    obj = Payload.of(value, url=url, kind="message", item_id=_peek_ts(value))
    ts = _ts(obj, "ts", required=True)
    edited = obj.optional_object("edited")
    edited_ts = _ts(edited, "ts") if edited else ""
    blocks = obj.data.get("blocks")
    text = obj.optional_str("text") or render_blocks(blocks if isinstance(blocks, list) else [])
    return MessageItem(
        source_id=ts,
        posted_at=ts_moment(ts),
        user_id=obj.optional_str("user"),
        bot_id=obj.optional_str("bot_id"),
        subtype=obj.optional_str("subtype"),
        text=text,
        thread_ts=_ts(obj, "thread_ts"),
        reply_count=obj.optional_int("reply_count", maximum=INT_MAX) or 0,
        latest_reply=_ts(obj, "latest_reply"),
        edited_at=ts_moment(edited_ts) if edited_ts else None,
        files=_files(obj),
        reactions=_reactions(obj),
    )


def _peek_ts(value: Any) -> str:
    ts = value.get("ts") if isinstance(value, dict) else None
    return ts if isinstance(ts, str) else ""


# --- blocks → text ------------------------------------------------------------------


def render_blocks(blocks: Iterable[Any]) -> str:
    """The readable text of a message's blocks, one line per block."""
    lines = [_block_text(block) for block in blocks if isinstance(block, dict)]
    return "\n".join(line for line in lines if line)


def _plain(value: Any) -> str:
    """A text object (`{"type": "mrkdwn"|"plain_text", "text": ...}`) or a string."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return value["text"]
    return ""


def _block_text(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "rich_text":
        return "\n".join(_rich_element(e) for e in _list(block.get("elements")))
    if kind in ("section", "header"):
        parts = [_plain(block.get("text"))]
        parts += [_plain(f) for f in _list(block.get("fields"))]
        return "\n".join(p for p in parts if p)
    if kind == "context":
        return " ".join(_plain(e) for e in _list(block.get("elements")) if _plain(e))
    if kind == "table":
        rows = []
        for row in _list(block.get("rows")):
            cells = [_block_text(cell) if isinstance(cell, dict) else "" for cell in _list(row)]
            rows.append(" | ".join(cells))
        return "\n".join(rows)
    return ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _rich_element(element: Any) -> str:
    if not isinstance(element, dict):
        return ""
    kind = element.get("type")
    inner = "".join(_inline(e) for e in _list(element.get("elements")))
    if kind == "rich_text_list":
        return "\n".join(f"- {_rich_element(e)}" for e in _list(element.get("elements")))
    if kind == "rich_text_quote":
        return f"> {inner}"
    if kind == "rich_text_preformatted":
        return f"```\n{inner}\n```"
    return inner


def _inline(element: Any) -> str:
    if not isinstance(element, dict):
        return ""
    kind = element.get("type")
    if kind == "text":
        text = element.get("text")
        return text if isinstance(text, str) else ""
    if kind == "link":
        text, url = element.get("text"), element.get("url")
        return text if isinstance(text, str) and text else (url if isinstance(url, str) else "")
    if kind == "emoji":
        name = element.get("name")
        return f":{name}:" if isinstance(name, str) else ""
    if kind == "user":
        return f"<@{element.get('user_id', '')}>"
    if kind == "channel":
        return f"<#{element.get('channel_id', '')}>"
    if kind == "usergroup":
        return f"<!subteam^{element.get('usergroup_id', '')}>"
    if kind == "broadcast":
        return f"@{element.get('range', '')}"
    if kind in ("rich_text_section", "rich_text_list", "rich_text_quote"):
        return _rich_element(element)
    return ""
