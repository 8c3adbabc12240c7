"""Slack members as a `cppa_user_tracker` profile kind (registered in `AppConfig.ready`).

A member's profile email (read only with `users:read.email`) is one Slack confirmed,
so it is *verified*: it merges with any profile holding the same address. Real and
display names are weak evidence. Bots, Slackbot and deleted accounts
are not people and are not profiles.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet

from cppa_slack_tracker.models import SlackMessage, SlackUser
from cppa_user_tracker.registry import ProfileFacts, ProfileKind

SLACK_MEMBER = "slack_member"  # stored in ProfileLink.kind; never rename
SLACKBOT = "USLACKBOT"


def members() -> QuerySet[SlackUser]:
    return (
        SlackUser.objects.select_related("team")
        .filter(is_bot=False, is_deleted=False)
        .exclude(user_id=SLACKBOT)
    )


def member_facts(user: SlackUser) -> ProfileFacts:
    names = tuple(dict.fromkeys(n for n in (user.real_name, user.display_name) if n))
    shown = user.display_name or user.real_name or user.name or user.user_id
    return ProfileFacts(
        label=f"{shown} (Slack {user.team.team_id}:{user.user_id})",
        names=names,
        verified_emails=(user.email,) if user.email else (),
    )


def active_members(since: datetime, until: datetime) -> Iterable[int]:
    """Members who posted a message or reply within [since, until)."""
    posted = SlackMessage.objects.filter(
        channel__team_id=OuterRef("team_id"),
        user_id=OuterRef("user_id"),
        posted_at__gte=since,
        posted_at__lt=until,
    )
    return members().filter(Exists(posted)).values_list("id", flat=True)


MEMBER_KIND = ProfileKind(
    name=SLACK_MEMBER,
    label="Slack member",
    queryset=members,
    facts=member_facts,
    updated_field="row_changed_at",
    only=(
        "id",
        "user_id",
        "name",
        "real_name",
        "display_name",
        "email",
        "row_changed_at",
        "team__team_id",
    ),
    active=active_members,
)
