from django.apps import AppConfig


class Wg21PaperTrackerConfig(AppConfig):
    """WG21 committee papers: mailings, papers, revisions, authors and their documents."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "wg21_paper_tracker"
    verbose_name = "WG21 papers"

    def ready(self) -> None:
        from cppa_pinecone_sync.registry import register_source
        from wg21_paper_tracker.search_documents import WG21_SOURCE

        register_source(WG21_SOURCE)
