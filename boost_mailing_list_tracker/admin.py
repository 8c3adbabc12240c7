"""Read-only admin over lists, senders, threads and messages; a thread shows its tree."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from boost_mailing_list_tracker.models import MailingList, Message, Sender, Thread
from boost_mailing_list_tracker.selectors import thread_tree
from core.admin import ReadOnlyAdmin


@admin.register(MailingList)
class MailingListAdmin(ReadOnlyAdmin):
    list_display = ("name", "address", "display_name", "row_changed_at")
    search_fields = ("name", "address")


@admin.register(Sender)
class SenderAdmin(ReadOnlyAdmin):
    list_display = ("key", "address", "display_name", "mailman_id")
    search_fields = ("key", "display_name")


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ("subject", "mailing_list", "started_at")
    list_filter = ("mailing_list",)
    search_fields = ("subject", "root_hash")
    readonly_fields = ("messages_in_order",)

    @admin.display(description="Messages (in order, indented by reply depth)")
    def messages_in_order(self, thread: Thread) -> str:
        rows = format_html_join(
            "",
            '<li style="margin-left:{}em"><a href="../../../message/{}/change/">{}</a>'
            " — {} · {}</li>",
            (
                (
                    2 * depth,
                    m.pk,
                    m.subject or "(no subject)",
                    m.sender_name or m.sender.key,
                    m.sent_at or "no date",
                )
                for m, depth in thread_tree(thread)
            ),
        )
        return format_html("<ul style='list-style:none;padding:0'>{}</ul>", rows)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("subject", "mailing_list", "sender", "sent_at", "source")
    list_filter = ("mailing_list", "source", "date_from_archive")
    search_fields = ("subject", "message_id", "sender__key")
    raw_id_fields = ("thread", "sender")
