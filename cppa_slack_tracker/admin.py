from django.contrib import admin

from core.admin import ReadOnlyAdmin
from cppa_slack_tracker.models import (
    SlackChannel,
    SlackMembership,
    SlackMembershipEvent,
    SlackMessage,
    SlackTeam,
    SlackUser,
)


@admin.register(SlackTeam)
class SlackTeamAdmin(ReadOnlyAdmin):
    list_display = ("team_id", "name", "domain", "token_label")


@admin.register(SlackUser)
class SlackUserAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "name", "real_name", "is_bot", "is_deleted", "team")
    search_fields = ("user_id", "name", "real_name", "display_name")
    list_filter = ("is_bot", "is_deleted")


@admin.register(SlackChannel)
class SlackChannelAdmin(ReadOnlyAdmin):
    list_display = ("channel_id", "name", "is_private", "is_archived", "is_member", "team")
    search_fields = ("channel_id", "name")


@admin.register(SlackMembership)
class SlackMembershipAdmin(ReadOnlyAdmin):
    list_display = ("channel", "user_id", "is_member", "changed_at")
    search_fields = ("user_id",)


@admin.register(SlackMembershipEvent)
class SlackMembershipEventAdmin(ReadOnlyAdmin):
    list_display = ("channel", "user_id", "action", "at", "source_ref")


@admin.register(SlackMessage)
class SlackMessageAdmin(ReadOnlyAdmin):
    list_display = ("channel", "ts", "user_id", "subtype", "thread_ts", "reply_count", "is_deleted")
    search_fields = ("ts", "text", "user_id")
    list_filter = ("is_deleted", "subtype")
