"""Views of wg21_paper_tracker: collector apps rarely need any."""
