"""gold/slo_hourly from events written exactly as the assistant's producers write them.

The corpus goes through ``tests/seed_producers.py`` (the seed's ``log_event``, baseline and chat
test helpers), then the real bronze and silver builds, so every component's source field is
shown to reach silver before the SLO table reads it. Expected quantiles come from Python's
``statistics.quantiles`` (inclusive method, the same linear interpolation), not from kvarn.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from pipelines.bronze.build import build_bronze_hour
from pipelines.bronze.ingest import all_owner_hours
from pipelines.config import LakeConfig
from pipelines.governance.retention import LEDGER_SCHEMA
from pipelines.io import delta
from pipelines.io.landing import day_dirs
from pipelines.observe.catalogue import CATALOGUE
from pipelines.observe.metric import Metric
from pipelines.observe.slo import build_slo_hour, build_slo_hours, judge
from pipelines.observe.slo_metrics import read_slo_rows, slo_metrics
from pipelines.observe.slo_targets import load_targets
from pipelines.silver.build import SilverOptions, build_silver_hour
from tests.seed_producers import SeedProducer, seed_example_turn

N = 20
ROUTES = ("micro", "planner", "deep")
SHORT_ANSWER = "Klart."  # ≤ 40 characters: counts for the uncached TTS target
LONG_ANSWER = "Jag har bokat mötet i kalendern och skickat en inbjudan till alla."


def _turn(i: int) -> dict[str, Any]:
    """Turn ``i`` of the corpus: latencies that step with ``i`` so quantiles are known."""
    cached = i % 2 == 0
    noisy = i % 4 == 1
    return seed_example_turn(
        turn_id=f"t-{i:05d}",
        session_id=f"s-{i}",
        route=ROUTES[i % 3],
        input={
            "text": "boka med Anders imorgon 10",
            "audio_ref": None,
            "asr": {"partial_ms": 100 + 10 * i, "final_ms": 400 + 20 * i, "wer_ref": 0.01 * i},
        },
        nlu={"intent": "TIME.BOOK" if i % 5 else "TIME.CANCEL", "confidence": 0.9, "slots": {}},
        llm={"model": "m", "first_ms": 50 * i, "full_ms": 150 * i, "tokens": 10},
        tool_calls=[{"name": "calendar.create", "args": {}, "ok": i % 10 != 0, "lat_ms": 50}],
        output={
            "text": SHORT_ANSWER if i % 3 else LONG_ANSWER,
            "tts": {
                "voice": "v",
                "cache": "HIT" if cached else "MISS",
                "lat_ms": 10.0 * i if cached else 30.0 * i,
                "audio_ref": None,
            },
        },
        metrics={
            "e2e_first_ms": 50,
            "e2e_full_ms": 100 * i,
            "ram_peak_mb": 1000 + i,
            "energy_wh": 0.01,
        },
        test_metadata={
            "test_scenario": "asr_cafe_noise" if noisy else "swedish_calendar_booking",
            "slo_target_ms": 2000,
            "expected_intent": "TIME.BOOK",
        },
    )


def _write_corpus(telemetry: Path) -> None:
    producer = SeedProducer(telemetry)
    try:
        for i in range(1, N + 1):
            producer.log_event(_turn(i))
        for guardian_ms in (40.0, 90.0, 120.0, 200.0):
            producer.log_performance_baseline(
                "test_voice_latency", {"p95_ms": 80.0, "guardian_ms": guardian_ms}
            )
        for found in ("TIME.BOOK", "TIME.BOOK", "COMM.EMAIL"):
            producer.log_chat_test("test_chat", "s-chat", "boka möte", 200,
                                   {"reply": "ok", "intent": found}, 0.05,
                                   "swedish_meeting_booking", "TIME.BOOK")  # fmt: skip
    finally:
        producer.close()


def _silver_lake(root: Path) -> tuple[LakeConfig, str]:
    """The corpus in one event hour (written again, in a fresh lake, in the rare case the
    writing crossed an hour boundary: the second try starts a new hour)."""
    for attempt in range(2):
        cfg = LakeConfig(data_dir=str(root / f"try{attempt}"))
        _write_corpus(Path(cfg.telemetry))
        hours = all_owner_hours(cfg.telemetry, day_dirs(cfg.telemetry))
        if len(hours) == 1:
            build_bronze_hour(cfg, hours[0])
            build_silver_hour(cfg, hours[0], SilverOptions(demo=True))
            return cfg, hours[0]
    raise AssertionError("the corpus crossed an hour boundary twice")


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[LakeConfig, str]:
    return _silver_lake(tmp_path_factory.mktemp("slo"))


def _rows(cfg: LakeConfig, hour: str) -> dict[tuple[str, str], dict[str, Any]]:
    frame = delta.read_partition(cfg.table("gold", "slo_hourly"), "hour", hour)
    assert frame is not None
    return {(r["component"], r["route"]): r for r in frame.iter_rows(named=True)}


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def test_every_component_reads_its_producer_field(lake: tuple[LakeConfig, str]) -> None:
    cfg, hour = lake
    build_slo_hour(cfg, hour)
    rows = _rows(cfg, hour)
    idx = range(1, N + 1)
    latencies: dict[tuple[str, str], list[float]] = {
        ("voice_e2e", ""): [100.0 * i for i in idx],
        ("asr_partial", ""): [100.0 + 10 * i for i in idx],
        ("asr_final", ""): [400.0 + 20 * i for i in idx],
        ("guardian_response", ""): [40.0, 90.0, 120.0, 200.0],
        ("tts_cached", ""): [10.0 * i for i in idx if i % 2 == 0],
        ("tts_uncached", ""): [30.0 * i for i in idx if i % 2 and i % 3],
    }
    for route in ROUTES:
        mine = [i for i in idx if ROUTES[i % 3] == route]
        latencies[("llm_first_token", route)] = [50.0 * i for i in mine]
        if route != "micro":
            latencies[("llm_completion", route)] = [150.0 * i for i in mine]
    assert set(rows) == set(latencies) | {("tool_success", ""), ("wer_clean", ""),
        ("wer_noisy", ""), ("intent_accuracy", ""), ("ram_peak", "")}  # fmt: skip
    for key, values in latencies.items():
        row = rows[key]
        assert row["count"] == len(values), key
        assert row["p50"] == pytest.approx(statistics.median(values)), key
        assert row["p95"] == pytest.approx(_p(values, 95)), key
        assert row["p99"] == pytest.approx(_p(values, 99)), key
        assert row["actual"] == row["p95"] and row["unit"] == "ms" and row["comparison"] == "<"
    tools = rows[("tool_success", "")]
    assert (tools["count"], tools["actual"], tools["p95"]) == (N, pytest.approx(0.9), None)
    noisy = [0.01 * i for i in idx if i % 4 == 1]
    clean = [0.01 * i for i in idx if i % 4 != 1]
    assert rows[("wer_noisy", "")]["count"] == len(noisy)
    assert rows[("wer_noisy", "")]["actual"] == pytest.approx(statistics.mean(noisy))
    assert rows[("wer_clean", "")]["actual"] == pytest.approx(statistics.mean(clean))
    # 16 of 20 test turns and 2 of 3 chat tests found the expected intent
    intent = rows[("intent_accuracy", "")]
    assert (intent["count"], intent["actual"]) == (N + 3, pytest.approx(18 / 23))
    ram = rows[("ram_peak", "")]
    assert (ram["count"], ram["actual"], ram["unit"]) == (N, 1000.0 + N, "mb")


def test_compliance_follows_the_seed_targets(lake: tuple[LakeConfig, str]) -> None:
    cfg, hour = lake
    rows = build_slo_hour(cfg, hour).rows
    verdict = {(r["component"], r["route"]): r["compliant"] for r in rows}
    assert verdict[("voice_e2e", "")] is True  # P95 1905 < 2000
    assert verdict[("guardian_response", "")] is False  # P95 188 ≥ 150
    assert verdict[("tts_cached", "")] is False  # P95 191 ≥ 120
    assert verdict[("tool_success", "")] is False  # 0.90 < 0.95
    assert verdict[("intent_accuracy", "")] is False  # 0.78 < 0.92
    assert verdict[("wer_clean", "")] is False and verdict[("ram_peak", "")] is True
    assert verdict[("llm_first_token", "micro")] is False  # P95 ≈ 930 ≥ 250
    assert verdict[("llm_completion", "deep")] is True  # P95 ≈ 2895 < 3000


def test_judge_is_strict_where_the_seed_says_below() -> None:
    assert judge(150.0, "<", 150.0) is False
    assert judge(0.07, "<=", 0.07) is True
    assert judge(0.95, ">=", 0.95) is True


def test_hour_without_silver_has_rows_with_null_verdicts(tmp_path: Path) -> None:
    cfg = LakeConfig(data_dir=str(tmp_path))
    rep = build_slo_hour(cfg, "2025-09-01T03")
    assert len(rep.rows) == len(load_targets())
    assert all(r["count"] == 0 and r["compliant"] is None for r in rep.rows)
    frame = delta.read_table(cfg.table("gold", "slo_hourly"))
    assert frame is not None and frame.height == len(rep.rows)
    assert frame.filter(pl.col("compliant").is_not_null()).height == 0


def test_rebuilding_an_hour_replaces_its_rows(lake: tuple[LakeConfig, str]) -> None:
    cfg, hour = lake
    first = build_slo_hour(cfg, hour)
    second = build_slo_hour(cfg, hour)
    frame = delta.read_partition(cfg.table("gold", "slo_hourly"), "hour", hour)
    assert frame is not None and frame.height == len(first.rows)
    assert second.rows == first.rows


def test_users_targets_file_overrides_the_defaults(
    lake: tuple[LakeConfig, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg, hour = lake
    config = Path(cfg.data_dir) / "config"
    config.mkdir(exist_ok=True)
    (config / "slo_targets.yaml").write_text(
        "voice_e2e: 1500\nllm_first_token:\n  micro: 1000\nllm_completion:\n  micro: 10\n",
        encoding="utf-8",
    )
    try:
        rows = {(r["component"], r["route"]): r for r in build_slo_hour(cfg, hour).rows}
    finally:
        (config / "slo_targets.yaml").unlink()
    assert (rows[("voice_e2e", "")]["target"], rows[("voice_e2e", "")]["compliant"]) == (
        1500.0, False)  # fmt: skip
    assert rows[("llm_first_token", "micro")]["compliant"] is True
    assert rows[("llm_first_token", "deep")]["target"] == 1800.0  # other routes keep defaults
    assert rows[("llm_completion", "micro")]["compliant"] is False  # a route a user added
    own = Path(cfg.data_dir) / "elsewhere.yaml"
    own.write_text("tool_success: 0.5\n", encoding="utf-8")
    monkeypatch.setenv("KVARN_SLO_TARGETS", str(own))
    rows = {(r["component"], r["route"]): r for r in build_slo_hour(cfg, hour).rows}
    assert rows[("tool_success", "")]["compliant"] is True


def test_latest_measured_hour_becomes_catalogue_metrics(lake: tuple[LakeConfig, str]) -> None:
    cfg, hour = lake
    built = build_slo_hour(cfg, hour)
    build_slo_hour(cfg, "2999-01-01T00")  # a later, empty hour must not blank components out
    rows = read_slo_rows(cfg, [hour, "2999-01-01T00"])
    assert rows is not None
    metrics = slo_metrics(rows)
    assert {m.name for m in metrics} <= set(CATALOGUE)
    by = {(m.name, m.labels): m for m in metrics}
    e2e = Metric.labelled(component="voice_e2e", route="")
    want = next(r for r in built.rows if r["component"] == "voice_e2e")
    assert (
        by[("slo_actual", e2e)].value == want["actual"] and by[("slo_actual", e2e)].status == "ok"
    )
    assert by[("slo_actual", e2e)].scope == f"hour:{hour}"
    assert by[("slo_samples", e2e)].value == N
    p95 = Metric.labelled(component="voice_e2e", route="", percentile="p95")
    assert by[("slo_latency_seconds", p95)].value == pytest.approx(want["p95"] / 1000)
    tools = Metric.labelled(component="tool_success", route="")
    assert (
        by[("slo_compliant", tools)].value == 0.0 and by[("slo_compliant", tools)].status == "error"
    )
    assert not any(m.name == "slo_latency_seconds" and m.label("component") == "tool_success"
                   for m in metrics)  # fmt: skip


def test_a_batch_is_one_commit_with_each_hours_own_rows(tmp_path: Path) -> None:
    """A batch's hours are written together, each with the rows it gets alone; an hour whose
    silver expired keeps the rows it had and stays out of the commit."""
    cfg, hour = _silver_lake(tmp_path)
    before, after = "2020-01-01T05", "2099-12-31T23"  # hours without silver, on either side
    alone = {h: build_slo_hour(cfg, h).rows for h in (before, hour, after)}
    version = delta.table_version(cfg.table("gold", "slo_hourly"))
    assert version is not None

    reports = build_slo_hours(cfg, [before, hour, after])
    assert {r.version for r in reports.values()} == {version + 1}  # one commit
    for h, rep in reports.items():
        assert rep.rows == alone[h]
        assert _rows(cfg, h) == {(r["component"], r["route"]): r for r in alone[h]}

    horizon = {"run_id": "r", "expired_at": None, "layer": "silver", "table": "*",
               "partition": "*", "cutoff": hour, "rows": 0, "bytes": 0}  # fmt: skip
    delta.append_rows(cfg.table("state", "retention_ledger"),
                      pl.DataFrame([horizon], schema=LEDGER_SCHEMA))  # fmt: skip
    kept = _rows(cfg, before)
    reports = build_slo_hours(cfg, [before, hour])
    assert reports[before].expired and not reports[hour].expired
    assert _rows(cfg, before) == kept
    assert reports[hour].rows == alone[hour]
