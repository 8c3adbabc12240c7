from django.apps import AppConfig


class Wg21PaperTrackerConfig(AppConfig):
    """WG21 committee papers: mailings, papers, revisions, authors and their documents."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "wg21_paper_tracker"
    verbose_name = "WG21 papers"

    def ready(self) -> None:
        from cppa_pinecone_sync.registry import register_source
        from cppa_user_tracker.registry import register_profile_kind
        from wg21_paper_tracker.people import AUTHOR_KIND
        from wg21_paper_tracker.search_documents import WG21_SOURCE

        register_source(WG21_SOURCE)
        register_profile_kind(AUTHOR_KIND)
