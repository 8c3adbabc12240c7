"""boost_usage_tracker: a collector app (scaffolded by startcollector)."""
