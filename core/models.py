"""The run ledger: one row per collector command run and per scheduled batch.

`/health/`, the status page and the metrics all read this table; nothing else keeps
run state. A batch (a schedule group run) is a row too, and the task runs it started
point at it through `parent`, so freshness can be read per group.
"""

from __future__ import annotations

from django.db import models


class RunStatus(models.TextChoices):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    # Left `running` by a process that died (kill -9, OOM, a lost machine): found
    # because the advisory lock the run held is free, then closed with when and why.
    ABANDONED = "abandoned"


class RunTrigger(models.TextChoices):
    MANUAL = "manual"
    SCHEDULE = "schedule"
    CELERY = "celery"


class RunKind(models.TextChoices):
    COLLECTOR = "collector"
    BATCH = "batch"


class CollectorRun(models.Model):
    """One run of a collector command or of a batch of them.

    The row is written when the run starts (status `running`) and completed when it
    ends. A run killed mid-way stays `running` until the next run of the same command
    (or a batch's sweep) finds its advisory lock free and marks it `abandoned`: a
    living run always holds `lock_name`, so a free lock proves the process is gone.
    """

    parent_id: int | None

    kind = models.CharField(max_length=16, choices=RunKind.choices, default=RunKind.COLLECTOR)
    command = models.CharField(max_length=200)
    collector = models.CharField(max_length=100, blank=True)
    trigger = models.CharField(max_length=16, choices=RunTrigger.choices, default=RunTrigger.MANUAL)
    group = models.CharField(max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    exit_code = models.IntegerField(null=True, blank=True)
    failure_category = models.CharField(max_length=32, blank=True)
    phase = models.CharField(max_length=32, blank=True)
    error_summary = models.TextField(blank=True)
    counters = models.JSONField(default=dict, blank=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.IntegerField(null=True, blank=True)
    # The advisory lock held while the row is `running` (empty for rows written finished).
    lock_name = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["command", "-started_at"], name="core_run_command_started"),
            # Batch lookups per group (freshness, trends) stay index-only at any size.
            models.Index(fields=["kind", "group", "-started_at"], name="core_run_kind_group"),
            models.Index(
                fields=["kind", "group", "status", "-started_at"], name="core_run_kind_group_status"
            ),
            # Run totals per command and status for /metrics.
            models.Index(fields=["command", "status"], name="core_run_command_status"),
            models.Index(fields=["status", "-started_at"], name="core_run_status_started"),
            models.Index(fields=["-started_at"], name="core_run_started"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_seconds__isnull=True)
                | models.Q(duration_seconds__gte=0),
                name="core_run_duration_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.command} {self.status} at {self.started_at:%Y-%m-%d %H:%M:%S}"


class Checkpoint(models.Model):
    """Where an incremental collector stopped reading one source key.

    Written in the same transaction as the rows it covers (see `core.checkpoints`),
    so after a crash the cursor never points past data that was not stored, nor
    behind data that was: the next run resumes without loss or duplicates.
    """

    collector = models.CharField(max_length=100)
    source_key = models.CharField(max_length=500)
    cursor = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collector", "source_key"], name="core_checkpoint_collector_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collector}:{self.source_key}"


class HttpCacheEntry(models.Model):
    """The last successful response for a URL, replayed when the source says 304.

    Keyed by a digest of the request without its credentials, so every token in a
    pool shares the entry. The parsed body and the pagination `Link` are kept because
    a 304 carries neither, yet the caller still needs both.
    """

    key = models.CharField(max_length=64, unique=True)
    url = models.TextField()
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    link = models.TextField(blank=True)
    body = models.JSONField(null=True, blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        verbose_name = "HTTP cache entry"
        verbose_name_plural = "HTTP cache entries"

    def __str__(self) -> str:
        return self.url


class QuarantinedItem(models.Model):
    """One item a collector could not parse or store, kept with what it was and why.

    The stream it came from went on without it; the collector's next run tries it
    again and deletes the row once the item is stored. Keyed on (collector, scope,
    item key), so an item that fails again updates its row (`attempts`, `last_seen`)
    instead of adding one.
    """

    collector = models.CharField(max_length=100)
    scope = models.CharField(max_length=500, help_text="Where it came from, e.g. repo:stream.")
    item_key = models.CharField(max_length=500, help_text="The source's id of the item.")
    url = models.TextField(blank=True)
    payload = models.JSONField(null=True, blank=True, help_text="The item as the source sent it.")
    category = models.CharField(max_length=32)
    reason = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collector", "scope", "item_key"], name="core_quarantine_item"
            ),
        ]
        indexes = [models.Index(fields=["-last_seen"], name="core_quarantine_last_seen")]

    def __str__(self) -> str:
        return f"{self.collector}:{self.scope}:{self.item_key}"
