"""cppa_slack_tracker: a collector app (scaffolded by startcollector)."""
