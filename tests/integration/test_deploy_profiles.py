"""The deployment profiles' configuration, validated as far as it can be without a cluster.

The Helm chart turns ``deploy/k8s/values.yaml`` into an instance ``dagster.yaml`` (its
instance ConfigMap); ``_instance_from_values`` performs the same mapping for the keys kvarn sets,
and the result must pass dagster's instance schema and each configurable class's own schema
(dagster-postgres storage, the queued run coordinator, dagster-k8s's ``K8sRunLauncher``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster import Definitions
from dagster._config import process_config
from dagster._core.instance.config import dagster_instance_config
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster_k8s import K8sRunLauncher
from dagster_postgres import DagsterPostgresStorage

ROOT = Path(__file__).resolve().parents[2]
VALUES = ROOT / "deploy" / "k8s" / "values.yaml"
DISTRIBUTED = ROOT / "deploy" / "distributed"


def _snake(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


def _instance_from_values(values: dict[str, Any]) -> dict[str, Any]:
    """The instance config the chart renders from ``values`` (the parts kvarn sets)."""
    pg = values["postgresql"]
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    queue = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    return {
        "telemetry": {"enabled": values["telemetry"]["enabled"]},
        "storage": {
            "postgres": {
                "postgres_db": {
                    "username": pg["postgresqlUsername"],
                    "password": {"env": "DAGSTER_PG_PASSWORD"},
                    "hostname": pg["postgresqlHost"],
                    "db_name": pg["postgresqlDatabase"],
                    "port": pg["service"]["port"],
                    "params": {},
                    "scheme": pg["postgresqlScheme"],
                }
            }
        },
        "run_coordinator": {
            "module": "dagster._core.run_coordinator",
            "class": "QueuedRunCoordinator",
            "config": {_snake(k): v for k, v in queue.items()},
        },
        "run_launcher": {
            "module": "dagster_k8s",
            "class": "K8sRunLauncher",
            "config": {
                # What the chart adds from its own release (names of its objects).
                "instance_config_map": "kvarn-dagster-instance",
                "postgres_password_secret": values["global"]["postgresqlSecretName"],
                "dagster_home": "/opt/dagster/dagster_home",
                "service_account_name": "kvarn-dagster",
                "load_incluster_config": launcher["loadInclusterConfig"],
                "env_vars": launcher["envVars"],
                # The chart lists secrets as {name: …}; the launcher takes their names.
                "env_secrets": [s["name"] for s in launcher["envSecrets"]],
                "run_k8s_config": {"container_config": launcher["runK8sConfig"]["containerConfig"]},
            },
        },
    }


def _validate(schema: Any, value: Any) -> None:
    result = process_config(schema, value)
    assert result.success, [e.message for e in result.errors or []]


def test_k8s_values_render_an_instance_config_dagster_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = yaml.safe_load(VALUES.read_text(encoding="utf-8"))
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["dagsterDaemon"]["runCoordinator"]["type"] == "QueuedRunCoordinator"
    deployment = values["dagster-user-deployments"]["deployments"][0]
    assert deployment["dagsterApiGrpcArgs"][:2] == ["--module-name", "assets.definitions"]
    env = {e["name"]: e["value"] for e in deployment["env"]}
    assert env["KVARN_LAKE"].startswith("s3://")

    instance = _instance_from_values(values)
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", "unused")
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(instance), encoding="utf-8")
    config, _ = dagster_instance_config(str(tmp_path))
    assert config["run_launcher"]["class"] == "K8sRunLauncher"
    _validate(K8sRunLauncher.config_type(), instance["run_launcher"]["config"])
    _validate(QueuedRunCoordinator.config_type(), instance["run_coordinator"]["config"])
    _validate(DagsterPostgresStorage.config_type(), instance["storage"]["postgres"])


def test_k8s_launcher_config_rejects_what_the_chart_would_reject() -> None:
    """The schema check has teeth: a misspelt key fails."""
    result = process_config(K8sRunLauncher.config_type(), {"job_namespase": "kvarn"})
    assert not result.success


def test_distributed_instance_config_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KVARN_PG_URL", "postgresql+psycopg2://kvarn@127.0.0.1:1/dagster")
    (tmp_path / "dagster.yaml").write_text((DISTRIBUTED / "dagster.yaml").read_text())
    config, _ = dagster_instance_config(str(tmp_path))
    assert "postgres" in config["storage"]
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["concurrency"]["pools"]["default_limit"] == 1
    celery = yaml.safe_load((DISTRIBUTED / "celery.yaml").read_text())
    from dagster_celery.executor import CELERY_CONFIG

    monkeypatch.setenv("KVARN_CELERY_BROKER", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("KVARN_CELERY_BACKEND", "redis://127.0.0.1:1/1")
    _validate(CELERY_CONFIG, celery["execution"]["config"])


def test_both_code_locations_validate() -> None:
    """What the k8s user deployment (assets.definitions) and the distributed workspace
    (assets.distributed, Celery executor) load."""
    from assets.definitions import defs as embedded
    from assets.distributed import defs as distributed

    Definitions.validate_loadable(embedded)
    Definitions.validate_loadable(distributed)
    job = distributed.resolve_job_def("hourly_pipeline")
    assert job.executor_def.name == "celery"
    # What `dagster …  -w deploy/distributed/workspace.yaml` does: one Definitions per module.
    from dagster._core.workspace.autodiscovery import loadable_targets_from_python_module

    for module in ("assets.definitions", "assets.distributed"):
        targets = loadable_targets_from_python_module(module, str(ROOT))
        assert [t.attribute for t in targets] == ["defs"], module


def test_reclaim_frees_a_dead_distributed_run_and_leaves_others() -> None:
    """A distributed run whose run process died is failed and its silver slot freed; a
    ``kvarn run`` run of a dead process is left to ``kvarn run``'s own reclaim."""
    import socket

    from dagster import DagsterInstance, DagsterRunStatus
    from dagster._core.storage.dagster_run import DagsterRun

    from assets.distributed import SOURCE
    from assets.reclaim import OWNER_TAG, SOURCE_TAG, reclaim_dead_runs

    dead = f"{socket.gethostname()}:{2**22 + 12345}"  # above pid_max's default: never alive
    with DagsterInstance.ephemeral() as instance:
        for run_id, source in (("dist", SOURCE), ("local", "kvarn run")):
            instance.add_run(
                DagsterRun(job_name="hourly_pipeline", run_id=run_id,
                           status=DagsterRunStatus.STARTED,
                           tags={SOURCE_TAG: source, OWNER_TAG: dead})
            )  # fmt: skip
        assert reclaim_dead_runs(instance, SOURCE) == ["dist"]
        assert instance.get_run_by_id("dist").status == DagsterRunStatus.FAILURE
        assert instance.get_run_by_id("local").status == DagsterRunStatus.STARTED
