"""Fixtures shared by every app's tests (the loopback fixture server, a fake clock)."""

pytest_plugins = ["core.testing.pytest_plugin"]
