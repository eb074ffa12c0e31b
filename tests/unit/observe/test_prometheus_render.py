"""The exposition: promtool accepts it, an independent parser reads back every value and label."""

from __future__ import annotations

import math
import random

import pytest
from prometheus_client.parser import text_string_to_metric_families

from pipelines.observe.catalogue import CATALOGUE, PREFIX
from pipelines.observe.metric import Metric
from pipelines.observe.prometheus import ExpositionError, render
from tests.unit.observe.metric_samples import every_catalogue_metric
from tests.unit.observe.promtool import run_promtool


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            assert sample.timestamp is None  # the textfile collector rejects timestamps
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_promtool_check_metrics_accepts_every_catalogue_metric() -> None:
    text = render(every_catalogue_metric())
    checked = run_promtool("check", "metrics", stdin=text)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == "" and checked.stderr.strip() == ""


def test_parse_round_trip_keeps_names_types_help_labels_and_values() -> None:
    metrics = every_catalogue_metric()
    text = render(metrics)
    families = {f.name: f for f in text_string_to_metric_families(text)}
    for entry in CATALOGUE.values():
        family = families[entry.exposed_name.removesuffix("_total")]
        assert family.type == entry.kind and family.documentation == entry.help
    parsed = _samples(text)
    assert len(parsed) == len(metrics)
    for metric in metrics:
        got = parsed[(PREFIX + metric.name, tuple(sorted(metric.labels)))]
        assert _same(got, metric.value), metric


def test_counters_end_in_total_and_every_family_is_declared_once() -> None:
    text = render(every_catalogue_metric())
    types = [line.split()[2:] for line in text.splitlines() if line.startswith("# TYPE ")]
    names = [name for name, _ in types]
    assert len(names) == len(set(names)) == len(CATALOGUE)
    assert all(name.startswith("kvarn_") for name in names)
    assert all(name.endswith("_total") == (kind == "counter") for name, kind in types)


def test_label_values_are_escaped_and_read_back_exactly() -> None:
    nasty = 'bad "json" \\ in\nline två'
    text = render([Metric("quarantined_lines_total", 3, Metric.labelled(reason=nasty))])
    assert 'reason="bad \\"json\\" \\\\ in\\nline två"' in text
    assert _samples(text) == {("kvarn_quarantined_lines_total", (("reason", nasty),)): 3.0}
    assert run_promtool("check", "metrics", stdin=text).returncode == 0


def test_special_values() -> None:
    metrics = [
        Metric("slo_actual", float("nan"), Metric.labelled(component="a", route="micro")),
        Metric("slo_actual", float("inf"), Metric.labelled(component="b", route="micro")),
        Metric("slo_actual", float("-inf"), Metric.labelled(component="c", route="micro")),
        Metric("slo_actual", 1e-07, Metric.labelled(component="d", route="micro")),
        Metric("slo_actual", 3.0, Metric.labelled(component="e", route="micro")),
    ]
    lines = [line.split()[-1] for line in render(metrics).splitlines()[2:]]
    assert lines == ["NaN", "+Inf", "-Inf", "1e-07", "3"]
    parsed = list(_samples(render(metrics)).values())
    assert math.isnan(parsed[0]) and parsed[1:] == [math.inf, -math.inf, 1e-07, 3.0]


def test_order_is_deterministic() -> None:
    metrics = every_catalogue_metric()
    shuffled = metrics[:]
    random.Random(7).shuffle(shuffled)
    assert render(shuffled) == render(metrics)


@pytest.mark.parametrize(
    ("metric", "message"),
    [
        (Metric("no_such_metric", 1), "'no_such_metric' is not in pipelines/observe/catalogue.py"),
        (Metric("table_rows", 1, Metric.labelled(layer="silver")), "the catalogue declares"),
        (Metric("run_success", 1, Metric.labelled(host="x")), "the catalogue declares"),
        (Metric("input_lines_total", -1), "counters are ≥ 0"),
    ],
)
def test_a_metric_that_cannot_be_exposed_is_a_clear_error(metric: Metric, message: str) -> None:
    with pytest.raises(ExpositionError, match=message):
        render([metric])


def test_two_values_for_one_series_are_refused() -> None:
    twice = [Metric("quarantine_ratio", 0.1, scope="run"), Metric("quarantine_ratio", 0.2)]
    with pytest.raises(ExpositionError, match="two values"):
        render(twice)


def test_no_metrics_render_empty() -> None:
    assert render([]) == ""
