from django.contrib import admin

from core.admin import ReadOnlyAdmin
from cppa_user_tracker.models import EmailAddress, GitHubAccount, GitIdentity, Person


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("id", "display_name", "created_at")
    search_fields = ("display_name", "github_accounts__login", "email_addresses__address")


@admin.register(GitHubAccount)
class GitHubAccountAdmin(ReadOnlyAdmin):
    list_display = ("login", "github_id", "name", "account_type", "person")
    list_filter = ("account_type",)
    search_fields = ("login", "name", "=github_id")
    raw_id_fields = ("person",)


@admin.register(EmailAddress)
class EmailAddressAdmin(ReadOnlyAdmin):
    list_display = ("address", "person")
    search_fields = ("address",)
    raw_id_fields = ("person",)


@admin.register(GitIdentity)
class GitIdentityAdmin(ReadOnlyAdmin):
    list_display = ("name", "email", "account", "person")
    search_fields = ("name", "email")
    raw_id_fields = ("account", "person")
