"""One writer per lake on a machine: an OS file lock that dies with its process.

Two ``kvarn run`` over the same hours used to interleave their partition overwrites and
merges (every event of an hour twice in silver, duplicate band and candidate rows). Each run
now holds an exclusive ``flock`` on a file beside the lake while it writes; a second run
waits for it and then reruns its hours, which overwrite what the first wrote, so the tables
end as a sequential run would leave them. The kernel releases the lock when the process
exits, however it exits, so a killed run never leaves it behind. For a lake on object
storage the lock file lives in the machine's temp directory: it orders runs of one machine;
runs on several machines go through Dagster, whose run queue allows one run per partition.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def lock_path(data_dir: str) -> Path:
    if "://" in data_dir:
        digest = hashlib.sha256(data_dir.encode("utf-8")).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"kvarn-lake-{digest}.lock"
    return Path(data_dir) / ".kvarn-write.lock"


@contextmanager
def lake_write_lock(
    data_dir: str, on_wait: Callable[[str], None] | None = None, poll_s: float = 0.5
) -> Iterator[None]:
    """Hold the lake's write lock for the block; ``on_wait`` hears who holds it, once."""
    path = lock_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as fh:
        told = False
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and on_wait is not None:
                    fh.seek(0)
                    on_wait(fh.read().strip() or "another process")
                    told = True
                time.sleep(poll_s)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)
