"""Slack workspaces (teams), their members, channels, memberships and messages.

Every table is keyed by Slack's own ids (`T…`, `U…`, `C…`, and a message's `ts`,
which is its id within a channel), so re-reading an overlap window upserts instead
of adding twins. `row_changed_at` is when our database last changed the row (moved by
`core.bulk.upsert` only on a real change): the search sync's watermark. A foreign key
that leads a unique constraint has `db_index=False`: the constraint's index serves it.

Members are this app's profile rows (`SlackUser`), one per Slack member id per team;
linking them to people is `cppa_user_tracker`'s job (a later issue).
"""

from __future__ import annotations

from django.db import models


def _row_changed_at() -> models.DateTimeField:
    """When our database last wrote the row (not Slack's time): the search watermark."""
    return models.DateTimeField(auto_now=True, db_index=True)


class SlackTeam(models.Model):
    """A workspace, as `auth.test` and `team.info` describe it; `token_label` names the
    setting its bot token comes from (`default`: SLACK_BOT_TOKEN, else SLACK_BOT_TOKEN_<LABEL>)."""

    team_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=255, blank=True, default="")
    domain = models.CharField(max_length=255, blank=True, default="")
    url = models.CharField(max_length=500, blank=True, default="")
    token_label = models.CharField(max_length=64, blank=True, default="")
    row_changed_at = _row_changed_at()

    def __str__(self) -> str:
        return self.name or self.team_id


class SlackUser(models.Model):
    """A member of a team (person, bot or deleted account): the Slack profile row."""

    team = models.ForeignKey(
        SlackTeam, on_delete=models.CASCADE, related_name="users", db_index=False
    )
    user_id = models.CharField(max_length=32)
    name = models.CharField(max_length=255, blank=True, default="")
    real_name = models.CharField(max_length=255, blank=True, default="")
    display_name = models.CharField(max_length=255, blank=True, default="")
    # Only when the token has users:read.email; "" otherwise.
    email = models.CharField(max_length=320, blank=True, default="")
    title = models.CharField(max_length=500, blank=True, default="")
    tz = models.CharField(max_length=64, blank=True, default="")
    is_bot = models.BooleanField(default=False)
    is_app_user = models.BooleanField(default=False)
    is_deleted = models.BooleanField(default=False)
    is_admin = models.BooleanField(default=False)
    # Slack's `updated` (epoch seconds) as a time: when the profile last changed there.
    updated_at = models.DateTimeField(null=True, blank=True)
    row_changed_at = _row_changed_at()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user_id"], name="slack_user_team_user_id")
        ]

    def __str__(self) -> str:
        return self.display_name or self.real_name or self.name or self.user_id


class SlackChannel(models.Model):
    """A public or private channel the bot can see (private only where it is a member)."""

    team = models.ForeignKey(
        SlackTeam, on_delete=models.CASCADE, related_name="channels", db_index=False
    )
    team_id: int
    channel_id = models.CharField(max_length=32)
    name = models.CharField(max_length=255, blank=True, default="")
    is_private = models.BooleanField(default=False)
    is_archived = models.BooleanField(default=False)
    is_member = models.BooleanField(default=False)
    topic = models.TextField(blank=True, default="")
    purpose = models.TextField(blank=True, default="")
    # The member id of who created it (a member may be gone from users.list).
    creator_id = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(null=True, blank=True)
    num_members = models.IntegerField(null=True, blank=True)
    row_changed_at = _row_changed_at()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "channel_id"], name="slack_channel_team_channel_id"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.name}" if self.name else self.channel_id


class SlackMembership(models.Model):
    """Who is in a channel now (from `conversations.members`, kept in step each run)."""

    channel = models.ForeignKey(
        SlackChannel, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    channel_id: int
    user_id = models.CharField(max_length=32)
    is_member = models.BooleanField(default=True)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "user_id"], name="slack_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.channel_id}"


class MembershipAction(models.TextChoices):
    JOIN = "join", "Joined"
    LEAVE = "leave", "Left"


class SlackMembershipEvent(models.Model):
    """One join or leave: from a `channel_join`/`channel_leave` message (`source_ref` is
    its ts) or from a `conversations.members` difference between two runs
    (`source_ref` is `members:<time>`). Unique, so re-reading adds nothing."""

    channel = models.ForeignKey(
        SlackChannel, on_delete=models.CASCADE, related_name="membership_events", db_index=False
    )
    channel_id: int
    user_id = models.CharField(max_length=32)
    action = models.CharField(max_length=8, choices=MembershipAction.choices)
    at = models.DateTimeField()
    source_ref = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "user_id", "action", "source_ref"],
                name="slack_membership_event_unique",
            )
        ]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.channel_id} at {self.at:%Y-%m-%d}"


class SlackMessage(models.Model):
    """A message or thread reply; `ts` is its id within the channel.

    `thread_ts` is the root's ts for every message of a thread (the root included);
    empty for a message outside threads. `is_deleted` is set when a message read
    before is missing from a re-read window (or thread): kept, not silently dropped.
    """

    channel = models.ForeignKey(
        SlackChannel, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    channel_id: int
    ts = models.CharField(max_length=32)
    posted_at = models.DateTimeField(db_index=True)
    user_id = models.CharField(max_length=32, blank=True, default="")
    bot_id = models.CharField(max_length=32, blank=True, default="")
    subtype = models.CharField(max_length=64, blank=True, default="")
    # Slack's `text`, or the text rendered from `blocks` when `text` is empty.
    text = models.TextField(blank=True, default="")
    thread_ts = models.CharField(max_length=32, blank=True, default="", db_index=True)
    reply_count = models.IntegerField(default=0)
    latest_reply = models.CharField(max_length=32, blank=True, default="")
    latest_reply_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # A root's `<latest_reply>/<reply_count>` when its thread was last read whole with
    # conversations.replies; differs from the root's current pair while the thread waits
    # for a read. Written only by mark_thread_read (the message upsert leaves it alone).
    thread_read_state = models.CharField(max_length=48, blank=True, db_default="")

    edited_at = models.DateTimeField(null=True, blank=True)
    # [{id, name, title, mimetype, filetype, size}] — metadata only, never the file.
    files = models.JSONField(default=list, blank=True)
    # {emoji name: count}
    reactions = models.JSONField(default=dict, blank=True)
    is_deleted = models.BooleanField(default=False)
    row_changed_at = _row_changed_at()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "ts"], name="slack_message_channel_ts")
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.ts}"

    @property
    def is_reply(self) -> bool:
        return bool(self.thread_ts) and self.thread_ts != self.ts

    @property
    def thread_state(self) -> str:
        """What `thread_read_state` must equal for the thread to be read up to date."""
        return thread_state(self.latest_reply, self.reply_count)


def thread_state(latest_reply: str, reply_count: int) -> str:
    return f"{latest_reply}/{reply_count}"
