"""Test helpers shared by every app: a loopback fixture server and a fake clock.

Registered for pytest by the root `conftest.py` (`core.testing.pytest_plugin`).
"""
