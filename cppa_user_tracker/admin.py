"""Admin over people: read-only rows, and the review actions as admin actions.

The actions call the same `services.review` functions as `manage.py people`, so each
is audited (actor `admin:<username>`) and can be undone from the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin
from cppa_user_tracker.models import (
    EmailAddress,
    GitHubAccount,
    GitIdentity,
    MergeLog,
    Person,
    ProfileEvidence,
    ProfileLink,
    Recommendation,
)
from cppa_user_tracker.services import review


class ReviewAdmin(ReadOnlyAdmin):
    """Read-only, plus review actions for users who may change people."""

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("cppa_user_tracker.change_person")

    def run(self, request: HttpRequest, queryset: Iterable, action, label: str) -> None:
        actor = f"admin:{request.user.get_username()}"
        done = 0
        for obj in queryset:
            try:
                action(obj, actor)
                done += 1
            except ValueError as exc:
                self.message_user(request, str(exc), messages.WARNING)
        self.message_user(request, f"{label}: {done} done (see the audit log to undo).")


class ProfileLinkInline(admin.TabularInline):
    model = ProfileLink
    fields = ("kind", "profile_id", "label", "manual", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(ReviewAdmin):
    list_display = ("id", "display_name", "created_at")
    search_fields = ("display_name", "links__label")
    inlines = (ProfileLinkInline,)
    actions = ("merge_selected", "split_selected")

    @admin.action(
        description="Merge the selected people (into the lowest id)", permissions=["review"]
    )
    def merge_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        people = list(queryset.order_by("id"))
        target = people[0]
        self.run(
            request,
            people[1:],
            lambda other, actor: review.merge_people(target=target, other=other, actor=actor),
            f"merge into #{target.pk}",
        )

    @admin.action(
        description="Split the selected people into one per profile", permissions=["review"]
    )
    def split_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.run(
            request,
            queryset,
            lambda person, actor: review.split_person(person=person, actor=actor),
            "split",
        )


@admin.register(ProfileLink)
class ProfileLinkAdmin(ReviewAdmin):
    list_display = ("kind", "profile_id", "label", "person", "manual", "needs_match")
    list_filter = ("kind", "manual", "needs_match")
    search_fields = ("label", "name", "evidence__value")
    raw_id_fields = ("person",)
    actions = ("unmerge_selected",)

    @admin.action(
        description="Unmerge: give each selected profile its own person", permissions=["review"]
    )
    def unmerge_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.run(
            request,
            queryset,
            lambda link, actor: review.unmerge_profile(link=link, actor=actor),
            "unmerge",
        )


@admin.register(ProfileEvidence)
class ProfileEvidenceAdmin(ReadOnlyAdmin):
    list_display = ("link", "kind", "value", "verified")
    list_filter = ("kind", "verified")
    search_fields = ("value",)
    raw_id_fields = ("link",)


@admin.register(Recommendation)
class RecommendationAdmin(ReviewAdmin):
    list_display = ("id", "score", "first", "second", "status", "evidence", "decided_by")
    list_filter = ("status",)
    raw_id_fields = ("first", "second")
    actions = ("accept_selected", "reject_selected")

    @admin.action(description="Accept: merge the two people", permissions=["review"])
    def accept_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.run(
            request,
            queryset,
            lambda rec, actor: review.accept_recommendation(recommendation=rec, actor=actor),
            "accept",
        )

    @admin.action(description="Reject: never suggest or merge this pair", permissions=["review"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.run(
            request,
            queryset,
            lambda rec, actor: review.reject_recommendation(recommendation=rec, actor=actor),
            "reject",
        )


@admin.register(MergeLog)
class MergeLogAdmin(ReviewAdmin):
    list_display = ("id", "action", "actor", "reason", "created_at")
    list_filter = ("action",)
    actions = ("undo_selected",)

    @admin.action(
        description="Undo: restore the grouping these actions found", permissions=["review"]
    )
    def undo_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.run(
            request,
            queryset.order_by("-id"),
            lambda entry, actor: review.undo_action(log=entry, actor=actor),
            "undo",
        )


@admin.register(GitHubAccount)
class GitHubAccountAdmin(ReadOnlyAdmin):
    list_display = ("login", "github_id", "name", "company", "account_type", "profile_read_at")
    list_filter = ("account_type",)
    search_fields = ("login", "name", "company", "blog", "=github_id")


@admin.register(EmailAddress)
class EmailAddressAdmin(ReadOnlyAdmin):
    list_display = ("address",)
    search_fields = ("address",)


@admin.register(GitIdentity)
class GitIdentityAdmin(ReadOnlyAdmin):
    list_display = ("name", "email", "account")
    search_fields = ("name", "email")
    raw_id_fields = ("account",)
