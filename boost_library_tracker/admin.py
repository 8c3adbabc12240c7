"""Read-only admin over the Boost catalogue: it comes from the source, not from people."""

from django.contrib import admin

from boost_library_tracker.models import (
    BoostVersion,
    Category,
    Library,
    LibraryHeader,
    LibraryVersion,
    LibraryVersionPerson,
)
from core.admin import ReadOnlyAdmin


@admin.register(BoostVersion)
class BoostVersionAdmin(ReadOnlyAdmin):
    list_display = ("name", "released_at")
    search_fields = ("name",)
    date_hierarchy = "released_at"


@admin.register(Library)
class LibraryAdmin(ReadOnlyAdmin):
    list_display = ("key", "name", "repo_name", "superproject_path")
    search_fields = ("key", "name", "repo_name")


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ("name",)
    search_fields = ("name",)


class LibraryVersionPersonInline(admin.TabularInline):
    model = LibraryVersionPerson
    fields = ("role", "identity")
    raw_id_fields = ("identity",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LibraryVersion)
class LibraryVersionAdmin(ReadOnlyAdmin):
    list_display = ("library", "version", "cxxstd", "status")
    list_filter = ("version", "cxxstd", "status", "categories")
    search_fields = ("library__key", "library__name", "description")
    list_select_related = ("library", "version")
    inlines = (LibraryVersionPersonInline,)


@admin.register(LibraryHeader)
class LibraryHeaderAdmin(ReadOnlyAdmin):
    list_display = ("path", "library", "version")
    list_filter = ("version",)
    search_fields = ("path", "library__key")
