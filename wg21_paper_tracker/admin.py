"""Read-only admin over WG21 papers: they come from the committee's pages, not from people."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from wg21_paper_tracker.models import (
    Author,
    Mailing,
    Paper,
    PaperDocument,
    PaperRevision,
    RevisionAuthor,
)


@admin.register(Mailing)
class MailingAdmin(ReadOnlyAdmin):
    list_display = ("mailing_id", "title", "date")
    search_fields = ("mailing_id", "title")


@admin.register(Paper)
class PaperAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "title")
    list_filter = ("kind",)
    search_fields = ("number", "title")


class RevisionAuthorInline(admin.TabularInline):
    model = RevisionAuthor
    fields = ("position", "author")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaperRevision)
class PaperRevisionAdmin(ReadOnlyAdmin):
    list_display = ("document_id", "title", "document_date", "mailing", "subgroup", "status")
    list_filter = ("is_draft", "index_type")
    search_fields = ("document_id", "title")
    date_hierarchy = "document_date"
    inlines = [RevisionAuthorInline]


@admin.register(RevisionAuthor)
class RevisionAuthorAdmin(ReadOnlyAdmin):
    list_display = ("revision", "position", "author")
    search_fields = ("revision__document_id", "author__name")
    list_select_related = ("revision", "author")


@admin.register(Author)
class AuthorAdmin(ReadOnlyAdmin):
    list_display = ("name", "email")
    search_fields = ("name", "name_key", "email")


@admin.register(PaperDocument)
class PaperDocumentAdmin(ReadOnlyAdmin):
    list_display = ("revision", "file_format", "status", "size", "note")
    list_filter = ("status", "file_format")
    search_fields = ("revision__document_id",)
