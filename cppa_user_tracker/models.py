"""People tables shared by every collector.

A `Person` is a human who may own several profiles: GitHub accounts, commit
identities, and the profile rows other apps keep (mailing-list senders, Slack
members, WG21 authors). A profile is tied to its person by a `ProfileLink`, never by
a column on the profile row: a merge or an undo re-points links and touches no
collected row. Other apps never write here directly: they call
`cppa_user_tracker.services`.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower


class Person(models.Model):
    display_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "people"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display_name or f"person #{self.pk}"


class ProfileLink(models.Model):
    """One profile of a registered kind (`registry.ProfileKind`) and the person it belongs to.

    `evidence_hash` is the digest of the evidence last read for the profile: a re-read
    with the same digest is no change. `needs_match` stays set until the matcher has
    placed the profile, so a run killed between reading and matching loses nothing.
    `manual` marks a placement a reviewer made; the matcher never moves it.
    """

    kind = models.CharField(max_length=64)
    profile_id = models.BigIntegerField()
    label = models.CharField(max_length=500, blank=True)
    # The best full name the profile gives, for the person's display name.
    name = models.CharField(max_length=255, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="links"
    )
    person_id: int | None
    evidence: models.Manager[ProfileEvidence]  # reverse of ProfileEvidence.link
    evidence_hash = models.CharField(max_length=32)
    needs_match = models.BooleanField(default=True)
    # Database defaults too: the matcher inserts links in bulk (COPY) without these.
    manual = models.BooleanField(default=False, db_default=False)
    # Why the profile sits with its person: [{"rule", "value", "with"}, ...].
    reason = models.JSONField(
        default=list,
        db_default=models.Value([], models.JSONField()),  # pyright: ignore[reportCallIssue]
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "profile_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "profile_id"], name="profile_link_unique"),
        ]
        indexes = [
            models.Index(
                fields=["needs_match"],
                condition=models.Q(needs_match=True),
                name="profile_link_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.profile_id} {self.label}".strip()


class ProfileEvidence(models.Model):
    """One normalised fact about a profile (an email, a GitHub id, a name key, ...).

    Indexed on (kind, value): matching is a join of this table with itself.
    """

    # The unique constraint below leads with `link`, so the key needs no index of its own.
    link = models.ForeignKey(
        ProfileLink, on_delete=models.CASCADE, related_name="evidence", db_index=False
    )
    kind = models.CharField(max_length=32)
    value = models.CharField(max_length=500)
    verified = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "profile evidence"
        ordering = ["link", "kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["link", "kind", "value"], name="profile_evidence_unique"
            ),
        ]
        indexes = [models.Index(fields=["kind", "value"], name="profile_evidence_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"


class RecommendationStatus(models.TextChoices):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Recommendation(models.Model):
    """Two profiles that weaker evidence says may be one person; a reviewer decides.

    The pair is stored in id order (`first` < `second`), so it is one row whichever
    side the evidence was found from; a rejected pair is never suggested again and
    never merged automatically.
    """

    # The unique (first, second) constraint serves lookups by `first`.
    first = models.ForeignKey(
        ProfileLink, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    second = models.ForeignKey(ProfileLink, on_delete=models.CASCADE, related_name="+")
    first_id: int
    second_id: int
    score = models.FloatField()
    evidence = models.JSONField(default=list)
    # Database defaults too: the matcher inserts recommendations in bulk (COPY).
    status = models.CharField(
        max_length=16,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.OPEN,
        db_default=RecommendationStatus.OPEN,
    )
    decided_by = models.CharField(max_length=150, blank=True, db_default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="recommendation_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="recommendation_pair_order"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=1), name="recommendation_score_range"
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="recommendation_status")]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.score:.2f}, {self.status})"


class MergeAction(models.TextChoices):
    AUTO_MERGE = "auto_merge"
    MERGE = "merge"
    UNMERGE = "unmerge"
    SPLIT = "split"
    ACCEPT = "accept"
    REJECT = "reject"
    UNDO = "undo"


class MergeLog(models.Model):
    """The audit log: who changed a grouping, when, why, on what evidence, and how to undo it.

    `before`/`after` map every link the action moved to its person (null: none);
    `removed_people` keeps the persons the action deleted ({id: display_name}) and
    `created_people` the ids it made, so an undo rebuilds exactly the earlier grouping.
    """

    action = models.CharField(max_length=16, choices=MergeAction.choices)
    actor = models.CharField(max_length=150)
    reason = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    removed_people = models.JSONField(default=dict, blank=True)
    created_people = models.JSONField(default=list, blank=True)
    recommendation = models.ForeignKey(
        Recommendation, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    recommendation_id: int | None
    undoes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="undone_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} by {self.actor}"


class GitHubAccount(models.Model):
    """A GitHub user, bot or organisation, keyed by its numeric id (logins change).

    Activity payloads carry only the login, type and avatar; `name`, `company` and
    `blog` come from a profile read (`services.record_github_profiles`), stamped in
    `profile_read_at` (null: never read).
    """

    github_id = models.BigIntegerField(unique=True)
    login = models.CharField(max_length=100, db_index=True)
    # Database defaults: an activity upsert inserts accounts without the profile columns.
    name = models.CharField(max_length=255, blank=True, db_default="")
    company = models.CharField(max_length=255, blank=True, db_default="")
    # The profile's web site (REST `blog`, GraphQL `websiteUrl`), as the owner wrote it.
    blog = models.CharField(max_length=500, blank=True, db_default="")
    profile_read_at = models.DateTimeField(null=True, blank=True)
    account_type = models.CharField(max_length=32, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "GitHub account"
        ordering = ["login"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(github_id__gt=0), name="github_account_id_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.login


class EmailAddress(models.Model):
    """An email address, stored lower-cased (persons own addresses through their profiles)."""

    address = models.CharField(max_length=320, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "email addresses"
        ordering = ["address"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(address=Lower("address")), name="email_address_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return self.address


class GitIdentity(models.Model):
    """A commit author as git records it (name + email), with or without a GitHub account."""

    name = models.CharField(max_length=255)
    email = models.CharField(max_length=320)
    account = models.ForeignKey(
        GitHubAccount,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="git_identities",
    )
    account_id: int | None
    created_at = models.DateTimeField(auto_now_add=True)
    # Set only when `account` changes (a commit linked the address to a GitHub user);
    # the matcher re-reads identities changed since its checkpoint.
    updated_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "email"], name="git_identity_name_email_unique"
            ),
        ]
        verbose_name_plural = "git identities"

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
