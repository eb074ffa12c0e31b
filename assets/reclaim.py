"""Runs whose ``kvarn run`` process died: marked failed, their concurrency slots freed.

``kvarn run`` materializes in its own process. Killed mid-run (``kill -9``, a reboot, an
out-of-memory kill), it leaves its Dagster run STARTED and the slot of the ``kvarn_state``
pool (limit 1) claimed, and every later run would wait for that slot forever. Each run
``kvarn run`` starts carries the host and process id it runs in; before a new ``kvarn run``
starts, runs of this host whose process is gone are reported failed and their slots freed.
Runs of other hosts, and of live processes, are left alone (the daemon's run monitoring
owns runs it launched).
"""

from __future__ import annotations

import os
import socket

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

OWNER_TAG = "kvarn/process"
SOURCE_TAG = "kvarn/source"
_UNFINISHED = [DagsterRunStatus.STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.NOT_STARTED]


def owner() -> str:
    """This process, as a run tag: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def reclaim_dead_runs(instance: DagsterInstance, source: str = "kvarn run") -> list[str]:
    """Fail the unfinished runs started by ``source`` (``kvarn run``, or the distributed
    profile's run process) whose process on this host is gone and free their concurrency
    slots; returns their run ids."""
    host = socket.gethostname()
    reclaimed = []
    runs = instance.get_runs(filters=RunsFilter(statuses=_UNFINISHED, tags={SOURCE_TAG: source}))
    for run in runs:
        tag = run.tags.get(OWNER_TAG, "")
        run_host, _, pid = tag.rpartition(":")
        if run_host != host or not pid.isdigit() or _alive(int(pid)):
            continue
        instance.report_run_failed(run, f"kvarn run process {pid} on {host} is gone")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        reclaimed.append(run.run_id)
    return reclaimed
