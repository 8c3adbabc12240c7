"""boost_mailing_list_tracker: a collector app (scaffolded by startcollector)."""
