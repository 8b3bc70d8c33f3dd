#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emgov.settings")
    # Commands (migrate, import_entries, rebuild_search_index...) may rightly run long
    # statements: no statement timeout unless the operator sets one. The development
    # server is bounded like the site's own workers (docs/operations.md).
    if sys.argv[1:2] != ["runserver"]:
        os.environ.setdefault("EMGOV_STATEMENT_TIMEOUT", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
