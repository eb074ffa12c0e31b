"""Real servers on 127.0.0.1 for the distributed profile's tests: PostgreSQL, Redis, an S3-API
server (moto's standalone server, its own process) and Celery workers.

Each server is a child process in its own session, started as the current user in a temporary
directory on a free port; ``ProcessGroup.stop`` ends every one of them (and their children),
however the test ended. As root, PostgreSQL refuses to start, so it runs as the ``postgres``
user the Debian package creates (``runuser``).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from dagster import DagsterInstance

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not come up within {timeout:.0f} s")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class ProcessGroup:
    """Processes started for one test; ``stop`` signals each one's whole session."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.cleanups: list[Callable[[], None]] = []

    def start(self, name: str, argv: Sequence[str], env: dict[str, str] | None = None,
              cwd: str | None = None) -> subprocess.Popen[bytes]:  # fmt: skip
        log = (self.log_dir / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            list(argv), stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        self.procs.append((name, proc))
        return proc

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        for sig, wait in ((signal.SIGINT, 10.0), (signal.SIGKILL, 5.0)):
            for _, proc in self.procs:
                if proc.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, sig)
            deadline = time.monotonic() + wait
            for _, proc in self.procs:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for cleanup in reversed(self.cleanups):
            cleanup()


def _pg_bin() -> Path:
    import glob

    found = sorted(glob.glob(PG_BIN_GLOB))
    if not found:
        raise RuntimeError("PostgreSQL server not found: run tools/system-deps.sh")
    return Path(found[-1])


def start_postgres(group: ProcessGroup) -> str:
    """An empty cluster on a free port; returns its SQLAlchemy URL (psycopg2 driver, which
    dagster-postgres installs; trust auth on loopback only)."""
    pg = _pg_bin()
    data = Path(tempfile.mkdtemp(prefix="kvarn-pg-"))
    group.cleanups.append(lambda: shutil.rmtree(data, ignore_errors=True))
    as_user: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(data, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_user, str(pg / "initdb"), "-D", str(data / "db"), "-U", "kvarn",
         "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    group.start(
        "postgres",
        [*as_user, str(pg / "postgres"), "-D", str(data / "db"), "-p", str(port),
         "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={data}",
         "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "max_connections=200"],
    )  # fmt: skip
    dsn = f"postgresql://kvarn@127.0.0.1:{port}/postgres"

    def ready() -> bool:
        import psycopg2

        try:
            psycopg2.connect(dsn, connect_timeout=1).close()
            return True
        except psycopg2.OperationalError:
            return False

    wait_for(ready, f"PostgreSQL on :{port}\n{group.log('postgres')}")
    return dsn.replace("postgresql://", "postgresql+psycopg2://")


def start_redis(group: ProcessGroup) -> str:
    exe = shutil.which("redis-server")
    if exe is None:
        raise RuntimeError("redis-server not found: run tools/system-deps.sh")
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="kvarn-redis-"))
    group.cleanups.append(lambda: shutil.rmtree(workdir, ignore_errors=True))
    group.start(
        "redis",
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
    )  # fmt: skip
    wait_for(lambda: port_open(port), f"Redis on :{port}")
    return f"redis://127.0.0.1:{port}"


def start_s3(group: ProcessGroup, bin_dir: Path, bucket: str) -> dict[str, str]:
    """moto's S3-API server as its own process, with ``bucket`` created; returns deltalake
    storage options for it (path-style, plain http on loopback)."""
    port = free_port()
    group.start("s3", [str(bin_dir / "moto_server"), "-H", "127.0.0.1", "-p", str(port)])
    wait_for(lambda: port_open(port), f"S3 server on :{port}")
    endpoint = f"http://127.0.0.1:{port}"
    import boto3

    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    ).create_bucket(Bucket=bucket)  # fmt: skip
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ALLOW_HTTP": "true",
        "AWS_S3_ALLOW_UNSAFE_RENAME": "true",
        "AWS_VIRTUAL_HOSTED_STYLE_REQUEST": "false",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1",
    }


ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "deploy" / "distributed"


@dataclass
class Cluster:
    """The distributed profile on loopback: its environment (also set in ``os.environ`` while
    the cluster runs), the PostgreSQL-backed instance, the S3 storage options and the processes.
    """

    env: dict[str, str]
    instance: DagsterInstance
    storage_options: dict[str, str]
    group: ProcessGroup
    workers: list[subprocess.Popen[bytes]]


def celery_workers(broker: str) -> set[str]:
    """Names of the Celery workers that answer a ping over ``broker``."""
    from celery import Celery

    replies = Celery(broker=broker).control.ping(timeout=1.0) or []
    return {name.split("@")[0] for reply in replies for name in reply}


@contextlib.contextmanager
def distributed_cluster(
    work_dir: Path, bin_dir: Path, *, workers: int = 2, pseudonym_key: str
) -> Iterator[Cluster]:
    """PostgreSQL, Redis, an S3 server with bucket ``kvarn`` and ``workers`` Celery workers
    (``kvarn1``, ``kvarn2``, …; one solo process each) on 127.0.0.1, the lake at
    ``s3://kvarn/lake``; everything stopped on exit, however the block ends."""
    group = ProcessGroup(work_dir)
    saved: dict[str, str | None] = {}
    try:
        pg_url = start_postgres(group)
        redis = start_redis(group)
        s3 = start_s3(group, bin_dir, "kvarn")
        home = work_dir / "dagster_home"
        home.mkdir()
        (home / "dagster.yaml").write_text((PROFILE / "dagster.yaml").read_text())
        own = {
            "DAGSTER_HOME": str(home),
            "KVARN_PG_URL": pg_url,
            "KVARN_CELERY_BROKER": f"{redis}/0",
            "KVARN_CELERY_BACKEND": f"{redis}/1",
            "KVARN_LAKE": "s3://kvarn/lake",
            "KVARN_STORAGE_OPTIONS": json.dumps(s3),
            "KVARN_PSEUDONYM_KEY": pseudonym_key,
        }
        env = {**os.environ, **own, "PYTHONPATH": str(ROOT)}
        saved = {key: os.environ.get(key) for key in own}
        os.environ.update(own)
        names = [f"kvarn{n}" for n in range(1, workers + 1)]
        procs = [
            group.start(
                name,
                [str(bin_dir / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app",
                 "-y", str(PROFILE / "celery.yaml"), "--name", name, "--loglevel", "WARNING",
                 "--", "--pool", "solo", "--concurrency", "1"],
                env={**env, "PATH": f"{bin_dir}:{env.get('PATH', '')}"},
                cwd=str(ROOT),
            )
            for name in names
        ]  # fmt: skip
        wait_for(lambda: celery_workers(own["KVARN_CELERY_BROKER"]) >= set(names),
                 f"{workers} Celery worker(s) answering over Redis", timeout=90)  # fmt: skip
        instance = DagsterInstance.from_config(str(home))
        try:
            yield Cluster(env, instance, s3, group, procs)
        finally:
            instance.dispose()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        group.stop()
