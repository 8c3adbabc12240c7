"""wg21_paper_tracker: a collector app (scaffolded by startcollector)."""
