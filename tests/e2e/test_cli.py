"""The CLI as a user runs it: generate → run → sql, the contracts, and Dagster's own CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.config import LakeConfig
from pipelines.io import delta

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def kvarn(
    *args: str, data: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    for name in ("DAGSTER_HOME", "KVARN_PSEUDONYM_KEY", "KVARN_DEMO", "KVARN_LAKE", "KVARN_DATA"):
        env.pop(name, None)
    if data is not None:
        env["KVARN_DATA"] = str(data)
    return subprocess.run(
        [str(BIN / "kvarn"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )


def test_generate_run_sql(tmp_path: Path) -> None:
    gen = kvarn("generate", "--out", str(tmp_path / "landing"), "--days", "1",
                "--events-per-hour", "20", "--seed", "11", "--start", "2025-09-01")  # fmt: skip
    assert gen.returncode == 0, gen.stderr
    run = kvarn("run", "--from", "2025-09-01T08", "--to", "2025-09-01T09", "--demo", data=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "materialized 2 hour(s)" in run.stdout
    # the key the demo run created serves later runs without --demo (UI, daemon, schedules)
    again = kvarn("run", "--from", "2025-09-01T09", "--to", "2025-09-01T09", data=tmp_path)
    assert again.returncode == 0, again.stderr
    q = kvarn("sql", "select count(*) as n from silver_turns", "--format", "csv", data=tmp_path)
    assert q.returncode == 0, q.stderr
    expected = delta.count_rows(LakeConfig(data_dir=str(tmp_path)).table("silver", "turns"))
    assert expected > 0
    assert q.stdout.strip().splitlines() == ["n", str(expected)]
    nested = kvarn("sql", "select consent_scopes from silver_turns limit 1", "--format", "csv",
                   data=tmp_path)  # fmt: skip
    assert nested.returncode == 0, nested.stderr
    assert nested.stdout.splitlines()[1].startswith('"[""analytics:')
    summary = kvarn("summary", data=tmp_path)
    assert summary.returncode == 0 and "silver_turns" in summary.stdout
    # the plain duckdb client, prepared by `kvarn duckdb --print-init`, sees the same views
    init = kvarn("duckdb", "--print-init", data=tmp_path)
    assert init.returncode == 0, init.stderr
    init_file = tmp_path / "init.sql"
    init_file.write_text(init.stdout, encoding="utf-8")
    shell = subprocess.run(
        [str(BIN / "duckdb"), "-init", str(init_file), "-csv", "-noheader"],
        input="select count(*) from silver_turns;\n",
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.strip().splitlines()[-1] == str(expected)


def test_sql_error_is_one_line(tmp_path: Path) -> None:
    res = kvarn("sql", "select * from no_such_view", data=tmp_path)
    assert res.returncode == 1
    assert len(res.stderr.strip().splitlines()) == 1
    assert res.stderr.startswith("error:")


def test_run_without_landing_data_fails_clearly(tmp_path: Path) -> None:
    res = kvarn("run", data=tmp_path)
    assert res.returncode == 1
    assert "no landing data" in res.stderr


@pytest.mark.parametrize("command", ["pii", "dates", "dedupe"])
def test_contracts_keep_going_after_a_bad_line(command: str) -> None:
    lines = [
        json.dumps({"id": "1", "text": "ring mig imorgon", "ref": "2025-09-01T10:00:00+02:00"}),
        "{broken",
        json.dumps({"id": "3", "text": "tack", "ref": "2025-09-01T10:00:00+02:00"}),
    ]
    res = kvarn(command, stdin="\n".join(lines) + "\n")
    assert res.returncode == 0, res.stderr
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(out) == 3
    assert out[0]["id"] == "1" and "error" not in out[0]
    assert "error" in out[1]
    assert out[2]["id"] == "3"


def test_dagster_definitions_validate() -> None:
    env = dict(os.environ, DAGSTER_HOME=str(ROOT))
    res = subprocess.run(
        [str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]


def test_dagster_cli_materializes_an_hour(tmp_path: Path) -> None:
    """`dagster asset materialize` — the way an operator backfills one hour by hand."""
    gen = kvarn("generate", "--out", str(tmp_path / "landing"), "--days", "1",
                "--events-per-hour", "15", "--seed", "5", "--start", "2025-09-01")  # fmt: skip
    assert gen.returncode == 0, gen.stderr
    home = tmp_path / "dagster_home"
    home.mkdir()
    env = dict(os.environ, DAGSTER_HOME=str(home), KVARN_DATA=str(tmp_path), KVARN_DEMO="1")
    res = subprocess.run(
        [str(BIN / "dagster"), "asset", "materialize", "-m", "assets.definitions",
         "--select", "*", "--partition", "2025-09-01-12:00"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=600,
    )  # fmt: skip
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    turns = delta.read_table(LakeConfig(data_dir=str(tmp_path)).table("silver", "turns"))
    assert turns is not None and turns.height > 0
    assert set(turns["hour"].to_list()) == {"2025-09-01T12"}


def test_run_without_a_pseudonym_key_fails_before_any_run(tmp_path: Path) -> None:
    gen = kvarn("generate", "--out", str(tmp_path / "landing"), "--days", "1",
                "--events-per-hour", "5", "--start", "2025-09-01")  # fmt: skip
    assert gen.returncode == 0, gen.stderr
    res = kvarn("run", "--from", "2025-09-01T10", "--to", "2025-09-01T10", data=tmp_path)
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1 and "KVARN_PSEUDONYM_KEY" in res.stderr
    assert not (tmp_path / "lake").exists()


def test_cli_mistakes_answer_in_one_line_before_writing(tmp_path: Path) -> None:
    """Each mistake: exit 1, one line on stderr with what to do, nothing written."""
    empty = tmp_path / "empty"
    empty.mkdir()
    gen = kvarn("generate", "--out", str(tmp_path / "landing"), "--days", "1",
                "--events-per-hour", "5", "--start", "2025-09-01")  # fmt: skip
    assert gen.returncode == 0, gen.stderr
    cases = [
        (("sql", "select 1", "--format", "xml"), tmp_path, "--format must be one of"),
        (("sql", "select count(*) from silver_turns"), empty, "run `make demo` or set KVARN_DATA"),
        (("audit",), empty, "no lake to audit"),
        (("run", "--from", "2020-01-01T00", "--to", "2020-01-01T01", "--demo"), tmp_path,
         "before the first partition"),
        (("run", "--mask-mode", "bogus", "--demo"), tmp_path, "--mask-mode must be one of"),
        (("run", "--batch-hours", "0", "--demo"), tmp_path, "--batch-hours must be from 1"),
        (("run", "--workers", "-1", "--demo"), tmp_path, "--workers must be from 0 to 64"),
    ]  # fmt: skip
    for args, data, hint in cases:
        res = kvarn(*args, data=data)
        assert res.returncode == 1, (args, res.stdout, res.stderr)
        assert res.stderr.count("\n") == 1 and hint in res.stderr, (args, res.stderr)
    assert not (tmp_path / "lake").exists() and not (empty / "lake").exists()
