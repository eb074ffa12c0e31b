"""The chart maths and SVG of the HTML report: scales, ticks, empty series, a single point."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from pipelines.observe.charts import (
    Axis,
    LinearScale,
    Point,
    Series,
    bar_chart,
    data_table,
    fmt_number,
    line_chart,
    nice_step,
    nice_ticks,
)


def test_linear_scale_maps_ends_and_middle_and_inverts_for_svg_y() -> None:
    x = LinearScale(0, 10, 100, 200)
    assert (x(0), x(5), x(10)) == (100, 150, 200)
    y = LinearScale(0, 50, 260, 10)  # SVG y grows downward
    assert y(0) == 260 and y(50) == 10 and y(25) == 135


def test_zero_width_domain_is_widened_around_the_value() -> None:
    s = LinearScale(7, 7, 0, 100)
    assert s.d0 < 7 < s.d1
    assert s(7) == pytest.approx(50)
    zero = LinearScale(0, 0, 0, 100)
    assert zero(0) == pytest.approx(50)


@pytest.mark.parametrize(
    ("span", "step"), [(10, 2), (1, 0.2), (350, 100), (0.05, 0.01), (12_000, 2500)]
)
def test_nice_step_is_1_2_2_5_or_5_times_a_power_of_ten(span: float, step: float) -> None:
    assert nice_step(span) == pytest.approx(step)


@pytest.mark.parametrize(
    ("lo", "hi"), [(0, 350), (0, 1), (0.93, 1.0), (120, 340), (0, 0.0234), (-5, 5)]
)
def test_ticks_cover_the_data_with_even_steps(lo: float, hi: float) -> None:
    ticks = nice_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= hi
    steps = {round(b - a, 9) for a, b in pairwise(ticks)}
    assert len(steps) == 1
    assert 2 <= len(ticks) <= 12


def test_ticks_of_one_value_and_of_nothing_finite() -> None:
    assert nice_ticks(0, 0) == [-1.0, -0.5, 0.0, 0.5, 1.0]
    one = nice_ticks(300, 300)
    assert one[0] < 300 < one[-1]
    assert nice_ticks(float("nan"), 1) == []


def test_fmt_number() -> None:
    assert fmt_number(1234) == "1,234"
    assert fmt_number(12.5) == "12.5"
    assert fmt_number(0.0345) == "0.0345"


def _marks(svg: str) -> list[str]:
    return re.findall(r'class="mark[^"]*"', svg)


def test_empty_series_say_so_instead_of_drawing() -> None:
    html = line_chart("P95", "d", [Series("a", [])], Axis("hour"), Axis("ms"), target=100)
    assert "<svg" not in html and "No data" in html
    assert "<svg" not in bar_chart("rules", "d", [], Axis("rule"), Axis("n"))


def test_a_single_point_is_drawn_inside_the_plot_with_its_target() -> None:
    svg = line_chart(
        "P95", "desc", [Series("voice", [Point(1000.0, 250.0, "h: 250 ms", "bad")])],
        Axis("hour"), Axis("ms"), target=200.0,
    )  # fmt: skip
    assert _marks(svg) == ['class="mark violating"']
    assert 'class="target"' in svg and "<polyline" not in svg
    nums = [float(v) for v in re.findall(r'd="M([\d.]+) ([\d.]+)', svg)[0]]
    assert 64 <= nums[0] <= 640 and 0 <= nums[1] <= 260
    assert "<title" in svg and 'role="img"' in svg and "aria-labelledby" in svg


def test_compliant_and_violating_marks_differ_in_shape_not_only_colour() -> None:
    points = [Point(float(i), v, f"p{i}", f) for i, (v, f) in enumerate([(1, "ok"), (3, "bad")])]
    svg = line_chart("t", "d", [Series("s", points)], Axis("x"), Axis("y"), target=2.0)
    assert "<circle" in svg and "<path" in svg
    assert sorted(_marks(svg)) == ['class="mark compliant"', 'class="mark violating"']


def test_bars_grow_with_their_values_from_a_shared_baseline() -> None:
    svg = bar_chart("n", "d", [("a", 10.0), ("b", 40.0)], Axis("rule"), Axis("n"))
    heights = [float(h) for h in re.findall(r'class="mark bar"[^>]*height="([\d.]+)"', svg)]
    assert len(heights) == 2 and heights[1] == pytest.approx(heights[0] * 4, rel=0.01)


def test_text_is_escaped_in_charts_and_tables() -> None:
    svg = bar_chart("<b>", "d", [("<x>", 1.0)], Axis("a&b"), Axis("n"))
    assert "<b>" not in svg and "&lt;x&gt;" in svg and "a&amp;b" in svg
    table = data_table("c", ["h"], [["<script>"]])
    assert "<script>" not in table and "&lt;script&gt;" in table
