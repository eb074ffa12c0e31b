"""Conformance: events written by the assistant's own producer functions, run as written.

The corpus comes from ``tests/seed_producers.py`` (the seed's ``log_event``, test helpers and
test-integration event, re-typed), never from kvarn's generator. Every event type lands in
bronze with nothing quarantined, each field reaches its silver column, and the planted names,
e-mail addresses and numbers appear nowhere in silver — not in text, slots, tool arguments,
English answers, stack traces, reproduction steps or the chat test's request.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from pipelines.bronze.build import build_bronze_hour
from pipelines.bronze.hashing import producer_digest
from pipelines.bronze.ingest import all_owner_hours
from pipelines.config import SILVER_TABLES, LakeConfig
from pipelines.io import delta
from pipelines.io.landing import day_dirs
from pipelines.pii.surrogates import FIRST_NAMES, SURNAMES
from pipelines.silver.build import SilverOptions, build_silver_hour
from tests.seed_producers import SeedProducer, seed_example_turn

# Raw personal data planted in the corpus; none of it may reach silver.
CANARIES = (
    "Anders", "Birgitta", "Lindqvist", "birgitta.lindqvist@example.se", "Britt",
    "070-123 45 67", "Gunnel", "Westerlund", "gunnel.westerlund@example.com", "0701234567",
    "Anna", "Torbjörn", "Ekwall", "torbjorn.ekwall@firma.se",
)  # fmt: skip
# Surrogate columns hold fake names from kvarn's pools; a canary that is also a pool name
# ("Anders" from the seed's own example) can only be checked in the placeholder columns.
SURROGATE_CANARIES = tuple(c for c in CANARIES if c not in FIRST_NAMES + SURNAMES)
FAILURE_TRACE = (
    "Traceback (most recent call last):\n"
    '  File "/app/tests/e2e/test_sms.py", line 88, in test_sms_roundtrip\n'
    "    assert reply.contact == expected\n"
    "AssertionError: expected contact 'Gunnel Westerlund', got None; "
    "user=gunnel.westerlund@example.com tel 0701234567"
)


def _write_corpus(telemetry: Path) -> dict[str, dict[str, Any]]:
    """Every event type the seed defines, each as its producer writes it."""
    producer = SeedProducer(telemetry)
    written: dict[str, dict[str, Any]] = {}
    try:
        written["example"] = producer.log_event(seed_example_turn())
        written["prod"] = producer.log_event(
            seed_example_turn(
                user_id="anon_77aa",
                session_id="s-8f1c",
                turn_id="t-00043",
                input={
                    "text": "mejla birgitta.lindqvist@example.se och ring Birgitta Lindqvist",
                    "audio_ref": None,
                    "asr": None,
                },
                nlu={
                    "intent": "COMM.EMAIL",
                    "confidence": 0.47,
                    "slots": {
                        "recipient": "Birgitta Lindqvist",
                        "email": "birgitta.lindqvist@example.se",
                    },
                },
                guardian={"state": "ALERT", "ram_pct": 88.5, "brownout": "LIGHT"},
                rag={"query": "Birgitta Lindqvist kontakt", "top_k": 2, "hits": []},
                tool_calls=[
                    {
                        "name": "sms.send",
                        "args": {"to": "Britt", "phone": "070-123 45 67"},
                        "ok": False,
                        "lat_ms": 3010,
                    }
                ],
                output={
                    "text": "Jag kunde inte nå Britt, ska jag försöka igen?",
                    "text_en": "I could not reach Britt, shall I try again?",
                    "tts": {
                        "voice": "alice_neutral",
                        "cache": "MISS",
                        "lat_ms": 240,
                        "audio_ref": None,
                    },
                },
                test_metadata={"slo_target_ms": 2000, "slo_compliance": True},
                consent_scopes=["analytics:training", "memory:write"],
            )
        )
        # A caller that hands log_event a dict which still holds an old hash: the producer
        # hashes it along, so the hash cannot verify — the event is still taken.
        written["stale_hash"] = producer.log_event(
            seed_example_turn(turn_id="t-00044", session_id="s-9a0d", hash="sha256:2f0a...ef")
        )
        written["baseline"] = producer.log_performance_baseline(
            "test_voice_pipeline_latency",
            {"p95_ms": 85.0, "guardian_ms": 160.0, "success_rate": 0.97, "runs": 50},
        )
        written["failure"] = producer.log_test_failure(
            "test_sms_roundtrip",
            {
                "type": "AssertionError",
                "root_cause": "contact Gunnel Westerlund not resolved",
                "stack_trace": FAILURE_TRACE,
                "steps": ["open chat", "say 'skicka sms till Gunnel Westerlund'"],
                "severity": "HIGH",
                "user_impact": "SMS to Gunnel Westerlund never sent",
            },
        )
        written["failure_defaults"] = producer.log_test_failure("test_cold_start", {})
        written["chat"] = producer.log_chat_test(
            "test_chat_api_with_logging",
            "test_chat_logging_001",
            "Boka möte med Anna imorgon kl 14",
            200,
            {"reply": "Mötet med Anna är bokat", "intent": "TIME.BOOK"},
            0.0423,
            "swedish_meeting_booking",
            "TIME.BOOK",
        )
        written["other_module"] = producer.log_event(
            {"event": "guardian.state_change", "from": "NORMAL", "to": "ALERT",
             "ram_pct": 91.0, "contact_on_call": "Torbjörn Ekwall torbjorn.ekwall@firma.se"}
        )  # fmt: skip
    finally:
        producer.close()
    return written


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[LakeConfig, dict[str, Any]]:
    root = tmp_path_factory.mktemp("seed")
    cfg = LakeConfig(data_dir=str(root))
    written = _write_corpus(Path(cfg.telemetry))
    for hour in all_owner_hours(cfg.telemetry, day_dirs(cfg.telemetry)):
        build_bronze_hour(cfg, hour)
        build_silver_hour(cfg, hour, SilverOptions(demo=True))
    return cfg, written


def _table(cfg: LakeConfig, layer: str, name: str) -> pl.DataFrame:
    frame = delta.read_table(cfg.table(layer, name))
    assert frame is not None, f"{layer}.{name} was not written"
    return frame


def test_every_line_lands_in_bronze_none_quarantined(lake: tuple[LakeConfig, Any]) -> None:
    cfg, written = lake
    events = _table(cfg, "bronze", "events")
    quarantine = delta.read_table(cfg.table("bronze", "quarantine"))
    assert quarantine is None or quarantine.height == 0, quarantine
    assert events.height == len(written)
    assert set(events["v"].to_list()) == {1}
    ok = dict(zip(events["turn_id"].fill_null("-"), events["hash_ok"], strict=True))
    assert ok["t-00042"] is True and ok["t-00043"] is True and ok["t-00044"] is False
    assert events["hash_ok"].sum() == len(written) - 1
    envs = dict(zip(events["event"], events["env"], strict=False))
    assert envs["test.baseline"] == "test" and envs["test.orchestrator.chat"] == "test"
    by_turn = dict(zip(events["turn_id"].fill_null("-"), events["env"], strict=True))
    assert by_turn["t-00042"] == "test" and by_turn["t-00043"] == "prod"


def test_producer_hash_is_the_seed_algorithm(lake: tuple[LakeConfig, Any]) -> None:
    cfg, _ = lake
    for line in Path(cfg.telemetry).rglob("*.jsonl"):
        for raw in line.read_text(encoding="utf-8").splitlines():
            event = json.loads(raw)
            assert event["v"] == "1"
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z", event["ts"])
            if event.get("turn_id") != "t-00044":
                assert event["hash"] == "sha256:" + producer_digest(event)


def test_turn_fields_reach_their_silver_columns(lake: tuple[LakeConfig, Any]) -> None:
    cfg, _ = lake
    turns = {r["turn_id"]: r for r in _table(cfg, "silver", "turns").iter_rows(named=True)}
    ex = turns["t-00042"]
    assert ex["text"] == "boka med <PERSON> imorgon 10"
    assert ex["output_text_en"] == "Scheduled meeting with <PERSON> at 10:00 on Sep 1"
    assert ex["output_text"] == ex["output_text_en"] and ex["output_lang"] == "en"
    assert json.loads(ex["slots"])["contact"] == "<PERSON>"
    assert ex["rag_query"] == "möte <PERSON> 10:00"
    assert (ex["asr_partial_ms"], ex["asr_final_ms"], ex["asr_wer_ref"]) == (210.0, 640.0, None)
    assert (ex["tts_voice"], ex["tts_cache"], ex["tts_cached"], ex["tts_lat_ms"]) == (
        "alice_neutral", "HIT", True, 118.0)  # fmt: skip
    assert ex["tts_audio_ref"] == "artifacts/tts/response_042.mp3"
    assert (ex["guardian_state"], ex["brownout_level"], ex["brownout"]) == ("NORMAL", "NONE", False)
    assert (ex["llm_model"], ex["llm_first_ms"], ex["llm_full_ms"], ex["tokens"]) == (
        "qwen2.5-7b-moe", 180.0, 740.0, 146)  # fmt: skip
    assert (ex["e2e_first_ms"], ex["e2e_full_ms"], ex["ram_peak_mb"], ex["energy_wh"]) == (
        430.0, 980.0, 5120.0, 0.08)  # fmt: skip
    assert ex["test_scenario"] == "swedish_calendar_booking" and ex["slo_compliance"] is True
    assert ex["env"] == "test" and ex["intent"] == "TIME.BOOK" and ex["confidence"] == 0.88
    prod = turns["t-00043"]
    assert prod["env"] == "prod" and prod["training_ok"] is True
    assert prod["pii_masked_by_producer"] is True
    assert prod["text"] == "mejla <EMAIL> och ring <PERSON>"
    # text (2 producer placeholders), both answers and the RAG query
    assert json.loads(prod["pii_entities"]) == {"EMAIL": 1, "PERSON": 4}
    assert prod["text_surrogate"].count("<") == 2  # producer placeholders get no fake value
    assert (prod["brownout_level"], prod["brownout"], prod["tts_cache"]) == ("LIGHT", True, "MISS")
    assert prod["output_text"] == "Jag kunde inte nå <PERSON>, ska jag försöka igen?"
    assert prod["output_lang"] == "sv" and prod["tool_fail_count"] == 1
    calls = _table(cfg, "silver", "tool_calls").filter(pl.col("turn_id") == "t-00043")
    assert json.loads(calls["args"][0]) == {"to": "<PERSON>", "phone": "<PHONE>"}


def test_test_events_reach_silver_test_results(lake: tuple[LakeConfig, Any]) -> None:
    cfg, _ = lake
    rows = {r["test_name"]: r for r in _table(cfg, "silver", "test_results").iter_rows(named=True)}
    base = rows["test_voice_pipeline_latency"]
    assert (base["event"], base["component"], base["env"]) == ("test.baseline", "orchestrator",
                                                               "test")  # fmt: skip
    assert base["slo_compliance"] is False  # guardian_ms 160 is over its 150 ms check
    assert json.loads(base["slo_checks"]) == {
        "api_response_p95": True,
        "guardian_response": False,
        "success_rate": True,
    }
    assert json.loads(base["metrics"])["p95_ms"] == 85.0
    assert json.loads(base["environment"])["concurrent_users"] == 3
    fail = rows["test_sms_roundtrip"]
    assert (fail["event"], fail["failure_type"], fail["severity"]) == (
        "test.failure", "AssertionError", "high")  # fmt: skip
    assert fail["root_cause"] == "contact <PERSON> not resolved"
    assert fail["user_impact"] == "SMS to <PERSON> never sent"
    assert fail["system_stability"] == "STABLE"
    assert json.loads(fail["reproduction_steps"]) == ["open chat", "say 'skicka sms till <PERSON>'"]
    assert "<EMAIL>" in fail["stack_trace"] and "<PHONE>" in fail["stack_trace"]
    assert json.loads(fail["system_state"])["active_connections"] == 12
    defaults = rows["test_cold_start"]
    assert defaults["severity"] == "medium" and defaults["failure_type"] is None
    chat = rows["test_chat_api_with_logging"]
    assert (chat["event"], chat["component"], chat["action"]) == (
        "test.orchestrator.chat", "orchestrator", "chat")  # fmt: skip
    assert chat["input_text"] == "Boka möte med <PERSON> imorgon kl 14"
    assert json.loads(chat["response_content"])["reply"] == "Mötet med <PERSON> är bokat"
    assert (chat["status_code"], chat["success"], chat["expected_intent"]) == (
        200,
        True,
        "TIME.BOOK",
    )
    assert chat["response_time_ms"] == pytest.approx(42.3)
    assert chat["test_scenario"] == "swedish_meeting_booking" and chat["slo_target_ms"] == 100


def _canary_pattern(canaries: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?<!\w){re.escape(c)}(?!\w)" for c in canaries))


def test_no_planted_personal_data_reaches_silver(lake: tuple[LakeConfig, Any]) -> None:
    cfg, _ = lake
    plain, surrogate = _canary_pattern(CANARIES), _canary_pattern(SURROGATE_CANARIES)
    leaks: list[str] = []
    scanned = 0
    for table in SILVER_TABLES:
        frame = delta.read_table(cfg.table("silver", table))
        if frame is None:
            continue
        for column, dtype in frame.schema.items():
            pattern = surrogate if column.endswith("_surrogate") else plain
            if dtype == pl.Utf8:
                values = frame[column].drop_nulls().to_list()
            elif dtype == pl.List(pl.Utf8):
                values = [v for vs in frame[column].drop_nulls().to_list() for v in vs]
            else:
                continue
            scanned += len(values)
            leaks.extend(f"{table}.{column}: {v[:80]}" for v in values if pattern.search(v))
    assert scanned > 100
    assert leaks == []


def test_batched_dagster_runs_take_the_producers_events_as_the_engine_does(
    lake: tuple[LakeConfig, Any], tmp_path: Path
) -> None:
    """The same producer-written landing files through ``kvarn run``'s path (batched Dagster
    runs, every check) land the same events in bronze and silver as the engine hour by hour."""
    import shutil

    from dagster import AssetCheckEvaluation, DagsterEventType, DagsterInstance, RunsFilter

    from assets.quality import DQ_HOURLY
    from assets.runner import materialize_hours

    cfg, _ = lake
    batched = LakeConfig(data_dir=str(tmp_path))
    shutil.copytree(cfg.telemetry, batched.telemetry)
    hours = all_owner_hours(batched.telemetry, day_dirs(batched.telemetry))
    with DagsterInstance.ephemeral() as instance:
        assert materialize_hours(batched, hours, demo=True, instance=instance) == []
        runs = instance.get_runs(RunsFilter())
        for run in runs:
            for entry in instance.all_logs(
                run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
            ):
                ev = entry.dagster_event.event_specific_data if entry.dagster_event else None
                if isinstance(ev, AssetCheckEvaluation) and ev.asset_key != DQ_HOURLY:
                    assert ev.passed, (ev.check_name, ev.metadata)
    for layer, names in (("bronze", ("events", "quarantine")), ("silver", SILVER_TABLES)):
        for name in names:
            key = ["line_no"] if name == "quarantine" else ["event_id"]  # quarantine: no id
            want = delta.read_table(cfg.table(layer, name), columns=key)
            got = delta.read_table(batched.table(layer, name), columns=key)
            assert (want is None) == (got is None), (layer, name)
            if want is not None and got is not None:
                assert sorted(got[key[0]].to_list()) == sorted(want[key[0]].to_list()), name


@pytest.mark.parametrize("kept", [False, True], ids=["pool per stage", "one kept pool"])
def test_workers_take_the_producers_events_as_one_process_does(
    lake: tuple[LakeConfig, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: bool
) -> None:
    """The producer-written landing files with bronze validated and silver prepared in two
    worker processes: every bronze and silver table equals the one-process, hour-by-hour
    build. Also with both stages on one kept pool, as ``kvarn run`` holds it: silver's tasks
    then run in workers that judged bronze lines first."""
    import shutil
    from concurrent.futures import ProcessPoolExecutor
    from contextlib import ExitStack
    from datetime import datetime, timedelta

    from pipelines.bronze.build import build_bronze_hours
    from pipelines.io import processes
    from pipelines.silver.build import build_silver_hours

    started: list[int] = []
    real = processes._executor

    def counted(workers: int, warm: Any) -> ProcessPoolExecutor:
        started.append(workers)
        return real(workers, warm)

    monkeypatch.setattr(processes, "_executor", counted)
    cfg, _ = lake
    other = LakeConfig(data_dir=str(tmp_path))
    shutil.copytree(cfg.telemetry, other.telemetry)
    shutil.copytree(Path(cfg.secrets), Path(other.secrets))  # the same pseudonym key
    hours = all_owner_hours(other.telemetry, day_dirs(other.telemetry))
    # The producers write "now": often a single hour. An empty hour before it makes two, so
    # two workers start and one of them validates (bronze) and prepares (silver) the
    # producers' events.
    before = (datetime.strptime(hours[0], "%Y-%m-%dT%H") - timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H"
    )
    with ExitStack() as scope:
        if kept:
            scope.enter_context(processes.kept_workers())
        build_bronze_hours(other, [before, *hours], workers=2)
        build_silver_hours(other, [before, *hours], SilverOptions(demo=True, workers=2))
    assert started == ([2] if kept else [2, 2])  # one pool for both stages, or one each
    for name in ("events", "quarantine"):
        want = delta.read_table(cfg.table("bronze", name))
        got = delta.read_table(other.table("bronze", name))
        if want is None or want.height == 0:  # the producers' lines are all valid
            assert got is None or got.height == 0, name
            continue
        assert got is not None, name
        keep = sorted(c for c in want.columns if c != "ingested_at")
        assert got.select(keep).sort(keep).equals(want.select(keep).sort(keep)), name
    for name in SILVER_TABLES:
        want, got = _table(cfg, "silver", name), _table(other, "silver", name)
        keep = sorted(c for c in want.columns if c not in {"ingested_at", "created_at"})
        assert got.select(keep).sort(keep).equals(want.select(keep).sort(keep)), name
