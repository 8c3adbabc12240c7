"""Recorded GitHub responses of this app, served on the loopback fixture server.

Not test code only: the tests and the offline demo (`make demo`) both replay them,
so they live outside `tests/` (the recordings themselves stay in `tests/fixtures`).
"""
