"""Mailing-list senders as a `cppa_user_tracker` profile kind (registered in `AppConfig.ready`).

A sender is one de-obfuscated address with the display name it wrote. The address is
plain, not verified (anyone can write any `From:`): it joins a profile that holds it
verified (a Slack profile email, a git identity GitHub tied to an account), and is a
recommendation with an unverified twin. A sender without an address gives its name only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from boost_mailing_list_tracker.models import Message, Sender
from cppa_user_tracker.registry import ProfileFacts, ProfileKind

MAILING_LIST_SENDER = "mailing_list_sender"  # stored in ProfileLink.kind; never rename


def sender_facts(sender: Sender) -> ProfileFacts:
    email = (sender.address,) if sender.address else ()
    name = sender.display_name
    label = f"{name} <{sender.address}>" if name and sender.address else (name or sender.key)
    return ProfileFacts(label=label, names=(name,) if name else (), emails=email)


def active_senders(since: datetime, until: datetime) -> Iterable[int]:
    """Senders of a message sent within [since, until)."""
    return (
        Message.objects.filter(sent_at__gte=since, sent_at__lt=until)
        .values_list("sender_id", flat=True)
        .distinct()
    )


SENDER_KIND = ProfileKind(
    name=MAILING_LIST_SENDER,
    label="mailing-list sender",
    queryset=lambda: Sender.objects.all(),
    facts=sender_facts,
    updated_field="row_changed_at",
    only=("id", "key", "address", "display_name", "row_changed_at"),
    active=active_senders,
)
