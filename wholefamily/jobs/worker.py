"""The in-process worker: django-tasks-db's database Worker in a daemon thread of the web process.

For one machine (`wholefamily serve`). In production the same tasks run in a separate process,
`wholefamily db_worker`, and this thread is not started (WHOLEFAMILY_INPROCESS_WORKER=0).
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections, connections
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks.base import DEFAULT_TASK_QUEUE_NAME
from django_tasks.utils import get_random_id
from django_tasks_db.management.commands.db_worker import Worker

from wholefamily.jobs.services import fail_interrupted_jobs

logger = logging.getLogger(__name__)

RESTART_DELAY_SECONDS = 5.0
WORKER_ID_PREFIX = "inprocess-"


class InProcessWorker:
    """A database task worker running in a daemon thread until `stop()`."""

    def __init__(self, *, interval: float = 1.0, queue_names: tuple[str, ...] = (DEFAULT_TASK_QUEUE_NAME,)) -> None:
        self.worker = Worker(
            queue_names=list(queue_names),
            interval=interval,
            batch=False,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=f"{WORKER_ID_PREFIX}{get_random_id()}"[:64],
        )
        self.thread = threading.Thread(target=self._run, name="wholefamily-task-worker", daemon=True)

    def start(self) -> InProcessWorker:
        self.thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Ask the loop to end after the current task (or poll) and wait up to `timeout` seconds."""
        self.worker.running = False
        self.thread.join(timeout)

    @property
    def is_alive(self) -> bool:
        return self.thread.is_alive()

    def _run(self) -> None:
        # The worker's own signal handling is for a process of its own: the thread never installs it.
        try:
            while self.worker.running:
                try:
                    self.worker.run()
                except Exception:
                    # A database hiccup must not end background work for the life of the server.
                    logger.exception("In-process task worker failed; restarting in %s s", RESTART_DELAY_SECONDS)
                    close_old_connections()
                    time.sleep(RESTART_DELAY_SECONDS)
        finally:
            connections.close_all()


def start_inprocess_worker(*, interval: float = 1.0) -> InProcessWorker:
    """Start the worker thread, first failing the jobs an earlier in-process worker left unfinished.

    One machine runs one `serve`: a job still marked running on an in-process worker is an orphan.
    """
    interrupted = fail_interrupted_jobs(worker_id_prefix=WORKER_ID_PREFIX)
    if interrupted:
        logger.warning("%d job(s) were cut off when the server last stopped; marked failed", interrupted)
    return InProcessWorker(interval=interval).start()
