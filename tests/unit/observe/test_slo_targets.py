"""SLO targets: the seed's list by default, a user's file over it, one clear error otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.observe.slo_targets import SloTargetsError, load_targets, targets_path


def _by_key(path: Path | None = None) -> dict[tuple[str, str], float]:
    return {(t.component, t.route): t.target for t in load_targets(path=path)}


def test_defaults_are_the_seed_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KVARN_SLO_TARGETS", raising=False)
    assert _by_key() == {
        ("voice_e2e", ""): 2000.0, ("asr_partial", ""): 300.0, ("asr_final", ""): 800.0,
        ("guardian_response", ""): 150.0, ("llm_first_token", "micro"): 250.0,
        ("llm_first_token", "planner"): 900.0, ("llm_first_token", "deep"): 1800.0,
        ("llm_completion", "planner"): 1500.0, ("llm_completion", "deep"): 3000.0,
        ("tts_cached", ""): 120.0, ("tts_uncached", ""): 800.0, ("tool_success", ""): 0.95,
        ("wer_clean", ""): 0.07, ("wer_noisy", ""): 0.11, ("intent_accuracy", ""): 0.92,
        ("ram_peak", ""): 15360.0,
    }  # fmt: skip


def test_file_is_found_by_env_then_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KVARN_SLO_TARGETS", raising=False)
    assert targets_path(str(tmp_path)) is None
    own = tmp_path / "config" / "slo_targets.yaml"
    own.parent.mkdir()
    own.write_text("asr_final: 700\n", encoding="utf-8")
    assert targets_path(str(tmp_path)) == own
    assert {(t.component, t.target) for t in load_targets(str(tmp_path))} >= {("asr_final", 700)}
    elsewhere = tmp_path / "mine.yaml"
    elsewhere.write_text("asr_final: 650\n", encoding="utf-8")
    monkeypatch.setenv("KVARN_SLO_TARGETS", str(elsewhere))
    assert targets_path(str(tmp_path)) == elsewhere
    assert _by_key(None)[("asr_final", "")] == 650.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("voice_e2e_ms: 2000\n", "unknown component(s) voice_e2e_ms"),
        ("voice_e2e: -5\n", "voice_e2e must be a positive number"),
        ("voice_e2e: fast\n", "voice_e2e must be a positive number"),
        ("tool_success: 95\n", "tool_success is a ratio between 0 and 1"),
        ("llm_first_token: 900\n", "llm_first_token needs a target per route"),
        ("llm_first_token:\n  planer: 900\n", "unknown route(s) planer"),
        ("- voice_e2e\n", "expected a mapping of component to target"),
        ("voice_e2e: [1\n", "not valid YAML"),
    ],
)
def test_a_bad_file_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "slo.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(SloTargetsError) as err:
        load_targets(path=bad)
    assert message in str(err.value) and str(bad) in str(err.value)
    assert "\n" not in str(err.value)


def test_a_missing_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(SloTargetsError, match="KVARN_SLO_TARGETS"):
        load_targets(path=tmp_path / "nope.yaml")
