"""The recorded Boost catalogue, served on the loopback fixture server.

Not test code only: the tests and the offline demo (`make demo`) both replay it, so
it lives outside `tests/` (the recordings themselves stay in `tests/fixtures`).
"""
