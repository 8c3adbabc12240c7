"""Plain items the Slack fetcher yields: Slack's ids as text, times as aware UTC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class TeamItem:
    team_id: str
    name: str = ""
    domain: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class UserItem:
    source_id: str  # the member id, U… or W…
    name: str = ""
    real_name: str = ""
    display_name: str = ""
    email: str = ""
    title: str = ""
    tz: str = ""
    is_bot: bool = False
    is_app_user: bool = False
    is_deleted: bool = False
    is_admin: bool = False
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChannelItem:
    source_id: str  # the channel id, C… or G…
    name: str = ""
    is_private: bool = False
    is_archived: bool = False
    is_member: bool = False
    topic: str = ""
    purpose: str = ""
    creator_id: str = ""
    created_at: datetime | None = None
    num_members: int | None = None


@dataclass(frozen=True, slots=True)
class MessageItem:
    source_id: str  # the message's ts, its id within the channel
    posted_at: datetime
    user_id: str = ""
    bot_id: str = ""
    subtype: str = ""
    text: str = ""
    thread_ts: str = ""
    reply_count: int = 0
    latest_reply: str = ""
    edited_at: datetime | None = None
    files: tuple[dict[str, Any], ...] = ()
    reactions: dict[str, int] = field(default_factory=dict)

    @property
    def ts(self) -> str:
        return self.source_id

    @property
    def is_reply(self) -> bool:
        """A reply inside a thread (not its root)."""
        return bool(self.thread_ts) and self.thread_ts != self.source_id

    @property
    def in_history(self) -> bool:
        """Whether conversations.history lists it: roots, plain messages, broadcasts."""
        return not self.is_reply or self.subtype == "thread_broadcast"
