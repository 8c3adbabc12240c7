from django.apps import AppConfig


class BoostMailingListTrackerConfig(AppConfig):
    """The Boost mailing lists: lists, threads, messages and senders, and their search source."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "boost_mailing_list_tracker"
    verbose_name = "Boost mailing lists"

    def ready(self) -> None:
        from boost_mailing_list_tracker.people import SENDER_KIND
        from boost_mailing_list_tracker.search_documents import MAILING_LIST_SOURCE
        from cppa_pinecone_sync.registry import register_source
        from cppa_user_tracker.registry import register_profile_kind

        register_source(MAILING_LIST_SOURCE)
        register_profile_kind(SENDER_KIND)
