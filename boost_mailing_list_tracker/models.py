"""Boost mailing lists: lists, threads, messages and their senders.

Messages are keyed per list on the archive's hash of the Message-ID (HyperKitty's
`message_id_hash`: base32 of the SHA-1 of the id without angle brackets), computed the
same way for messages read from an mbox, so a message that arrives from the REST API
and from an mbox export is one row. The hash, not the id, carries the unique index:
Message-IDs of over 1,000 characters exist and a B-tree entry has a size limit.
Dates are UTC; `date_from_archive` marks a message whose own Date header could not be
read (the archive's date, or the mbox `From ` line's, was used instead).
Senders are this app's own profile rows (one per address, or one per display name
when a message has no address); linking them to persons is `cppa_user_tracker`'s job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.db.models.manager import RelatedManager


def _row_changed_at() -> models.DateTimeField:
    """When our database last wrote the row (not the archive's time): the search watermark.

    `core.bulk.upsert` moves it only when a row really changed.
    """
    return models.DateTimeField(auto_now=True, db_index=True)


class MailingList(models.Model):
    """A list, e.g. `boost` (`boost@lists.boost.org`); `address` is HyperKitty's fqdn name."""

    name = models.CharField(max_length=200, unique=True)
    address = models.CharField(max_length=254, blank=True)
    display_name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    archive_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Sender(models.Model):
    """A sender profile: one per de-obfuscated address, or one per display name without one.

    `key` is the lower-cased address, or `unknown:<normalised display name>` for
    messages that carry no usable address, so such messages share one stable profile
    instead of getting a new one each.
    """

    key = models.CharField(max_length=400, unique=True)
    address = models.CharField(max_length=320, blank=True)
    display_name = models.CharField(max_length=300, blank=True)
    mailman_id = models.CharField(max_length=100, blank=True)
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.display_name or self.address or self.key


class Thread(models.Model):
    """A conversation: keyed on the hash of its root message's Message-ID."""

    if TYPE_CHECKING:
        messages: RelatedManager[Message]

    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="threads", db_index=False
    )
    root_hash = models.CharField(max_length=32)
    subject = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["-started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mailing_list", "root_hash"], name="thread_root_unique")
        ]

    def __str__(self) -> str:
        return self.subject or self.root_hash


class Message(models.Model):
    """One message of a list, with its plain-text body and attachment metadata (no blobs).

    `quote_marks` holds the line ranges of quoted text (`quoted`: [[first, last], ...])
    and the first line of the signature or list footer (`signature`), so search can
    index the message's own words only. `problems` lists what parsing had to work
    around (a bad date, an undeclared charset, a message cut at the size limit).
    """

    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    message_hash = models.CharField(max_length=32)
    message_id = models.TextField()
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    thread_id: int
    parent_hash = models.CharField(max_length=32, blank=True, db_index=True)
    # Written by mbox imports only (HyperKitty does not show them), so a row a
    # HyperKitty run creates gets them from the database default.
    in_reply_to = models.TextField(blank=True, default="", db_default="")
    references = models.JSONField(  # pyright: ignore[reportCallIssue] - db_default's stub
        default=list, blank=True, db_default=models.Value([], output_field=models.JSONField())
    )
    subject = models.TextField(blank=True)
    normalized_subject = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    date_from_archive = models.BooleanField(default=False)
    raw_date = models.CharField(max_length=200, blank=True)
    sender = models.ForeignKey(Sender, on_delete=models.PROTECT, related_name="messages")
    sender_name = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    body_from_html = models.BooleanField(default=False)
    quote_marks = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(default=list, blank=True)
    # Written by HyperKitty runs only; an mbox import leaves it as it is.
    archive_url = models.URLField(max_length=500, blank=True, default="", db_default="")
    source = models.CharField(max_length=20)
    problems = models.JSONField(default=list, blank=True)
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailing_list", "message_hash"], name="message_hash_unique_per_list"
            )
        ]
        indexes = [
            # Threading by subject: the latest message of a list with this subject.
            models.Index(
                fields=["mailing_list", "normalized_subject", "sent_at"],
                name="message_subject_thread_idx",
            )
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id
