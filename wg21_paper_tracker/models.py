"""WG21 committee papers: mailings, papers, their revisions, authors and documents.

A paper (`P2300`, `N4950`, `SD-1`) and its revisions (`P2300R0` ... `P2300R10`, the
draft `D2300R7`) are two levels, so "every revision of std::execution" is one join and
the paper's newest title is one row. Rows are keyed on the committee's own ids, so
re-reading a mailing updates rows instead of adding twins. Authors are this source's
profiles, keyed by their normalised name (the source has no other id); a later step
links them to people in `cppa_user_tracker`.
"""

from __future__ import annotations

from django.db import models


def _row_changed_at() -> models.DateTimeField:
    """When our database last wrote the row: the search sync's watermark.

    `core.bulk.upsert` moves it only when a row really changed.
    """
    return models.DateTimeField(auto_now=True, db_index=True)


class Mailing(models.Model):
    """One mailing of the committee (`2024-01`, "2024-01 pre-Tokyo mailing")."""

    mailing_id = models.CharField(max_length=7, unique=True)  # YYYY-MM
    title = models.CharField(max_length=300, blank=True)
    year = models.PositiveSmallIntegerField()
    date = models.DateField()  # the first day of the mailing's month
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["mailing_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mailing_id__regex=r"^[0-9]{4}-(0[1-9]|1[0-2])$"),
                name="wg21_mailing_id_is_year_month",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.mailing_id


class PaperKind(models.TextChoices):
    PROPOSAL = "proposal", "P-paper"
    N_PAPER = "n_paper", "N-paper"
    STANDING = "standing", "Standing document"


class Paper(models.Model):
    """A paper across its revisions: `P2300` (P- and D-documents), `N4950`, `SD-1`."""

    number = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=16, choices=PaperKind.choices)
    title = models.TextField(blank=True)  # the newest revision's title
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=PaperKind.values), name="wg21_paper_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Author(models.Model):
    """A WG21 author as the papers name them; `name_key` is the name, case-folded."""

    name_key = models.CharField(max_length=300, unique=True)
    name = models.CharField(max_length=300)
    email = models.CharField(max_length=320, blank=True)
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["name_key"]

    def __str__(self) -> str:
        return self.name


class PaperRevision(models.Model):
    """One document of a paper: `P2300R7`, `D2300R7` (a draft), `N4950`, `SD-1`.

    `formats` maps each format the mailing offers to its URL (`{"html": ..., "pdf":
    ...}`); `url` is the preferred one (adoc, then html, then ps, then pdf). Fields
    the year pages leave empty are filled from wg21.link's index (`index_type`,
    `status` come only from there).
    """

    document_id = models.CharField(max_length=30, unique=True)
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveSmallIntegerField(null=True, blank=True)
    is_draft = models.BooleanField(default=False)
    title = models.TextField(blank=True)
    document_date = models.DateField(null=True, blank=True)
    mailing = models.ForeignKey(
        Mailing, null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    subgroup = models.CharField(max_length=200, blank=True)
    audience = models.CharField(max_length=200, blank=True)
    disposition = models.CharField(max_length=300, blank=True)
    previous_id = models.CharField(max_length=30, blank=True)
    formats = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    index_type = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=100, blank=True)
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["document_id"]
        indexes = [models.Index(fields=["paper", "revision"], name="wg21_revision_paper_rev")]

    def __str__(self) -> str:
        return self.document_id


class RevisionAuthor(models.Model):
    """An author of a revision, in the order the paper lists them (`position` 0, 1, ...)."""

    # No index of its own: the (revision, position) constraint's index leads with it.
    revision = models.ForeignKey(
        PaperRevision, on_delete=models.CASCADE, related_name="revision_authors", db_index=False
    )
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="revision_authors")
    position = models.PositiveSmallIntegerField()
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["revision", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "position"], name="wg21_revision_author_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.revision}#{self.position}"


class TextStatus(models.TextChoices):
    EXTRACTED = "extracted", "Text extracted"
    NOT_EXTRACTED = "not_extracted", "Not extracted"
    FAILED = "failed", "Download failed"


class PaperDocument(models.Model):
    """A revision's file downloaded into the workspace (`--download`), and its text.

    `status` says whether the text was extracted, not extracted (with the reason in
    `note`: a format without an extractor, an unreadable file) or whether the download
    failed (retried by the next `--download` run).
    """

    revision = models.OneToOneField(
        PaperRevision, on_delete=models.CASCADE, related_name="document"
    )
    url = models.CharField(max_length=500)
    file_format = models.CharField(max_length=10)
    path = models.CharField(max_length=500, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=TextStatus.choices)
    note = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    row_changed_at = _row_changed_at()

    class Meta:
        ordering = ["revision"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=TextStatus.values), name="wg21_document_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.revision}: {self.status}"
