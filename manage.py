#!/usr/bin/env python
"""Django's command-line entry point for Boost Data Collector."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from config.env import SettingsError, exit_on_settings_error

    try:
        execute_from_command_line(sys.argv)
    except SettingsError as exc:
        # A configuration mistake is the operator's to fix: one line, no traceback.
        exit_on_settings_error(exc)


if __name__ == "__main__":
    main()
