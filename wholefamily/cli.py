"""The `wholefamily` command: Django's management commands under the product's name.

`wholefamily --help` lists every command (ours and Django's); `wholefamily COMMAND --help` explains one.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "wholefamily"
    if len(args) == 1 or args[1] in {"-h", "--help"}:
        args[1:] = ["help"]
    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
