"""`wholefamily serve [ADDRPORT]`: the web server for one machine, with the task worker in-process.

When settings.WHOLEFAMILY_INPROCESS_WORKER is true (the default outside production) a django-tasks
database worker runs in a daemon thread of this process, and the autoreloader is off (it would start
a second process, and so a second worker). Otherwise run `wholefamily db_worker` beside it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from wholefamily.jobs.worker import start_inprocess_worker

DEFAULT_ADDRPORT = "127.0.0.1:8000"


class Command(BaseCommand):
    help = "Run WholeFamily's web server (default 127.0.0.1:8000), with the background task worker in-process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default=DEFAULT_ADDRPORT, help="ipaddr:port or port")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls for queued tasks (default 1)."
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Reload on code changes (only without the in-process worker, which it would start twice).",
        )

    def handle(self, *args: Any, addrport: str, interval: float, reload: bool, **options: Any) -> None:
        address = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        if settings.WHOLEFAMILY_INPROCESS_WORKER:
            if reload:
                self.stderr.write("--reload is ignored: the reloader would start the task worker twice.")
            start_inprocess_worker(interval=interval)
            use_reloader = False
            workers = "background tasks run in this process"
        else:
            use_reloader = reload
            workers = "background tasks need `wholefamily db_worker` running beside this"
        self.stdout.write(f"WholeFamily at http://{address}/ ({workers}). Stop with Ctrl+C.")
        call_command("runserver", address, use_reloader=use_reloader)
