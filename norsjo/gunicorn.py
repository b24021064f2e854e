"""gunicorn settings for `make run` and `make bench`; production may pass its own.

One thread per worker process. Measured on 2 cores with 20 clients on the event page: 2
workers with 4 threads each gave a p95 near 200 ms (threads of one process queue for the GIL,
and the slowest requests wait longest); single-threaded workers, one per core plus one to
cover a request waiting on the database, kept it near 100 ms at a higher throughput.
"""

import os

workers = int(os.environ.get("WEB_WORKERS", (os.cpu_count() or 1) + 1))
threads = 1
# `make run` writes the access log: the token of a guest link must not be in it.
logger_class = "norsjo.gunicorn_logger.GuestSafeLogger"
