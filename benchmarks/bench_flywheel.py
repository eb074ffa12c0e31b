"""What the test flywheel (``kvarn.pytest_plugin``) adds to a test run's wall time.

The plugin is loaded into every pytest run of the environment, so its cost decides whether
a team leaves ``--kvarn-telemetry`` on in CI. This runs one suite in fresh subprocesses
(``python -m pytest -q -p no:cacheprovider``) in turn without and with the option, and with
the plugin not loaded at all (``-p no:kvarn``: what being off must cost, nothing), after one
unmeasured warm-up round so every mode reads warm bytecode caches; each recording run starts
from an empty landing directory. Prints the median wall times and their ratio, and the
median CPU time of the subprocesses, which a busy machine disturbs less. Target: under 5 %
added by the option.

By default the suite is synthetic: ~300 small tests, mostly passes, 5 % failing, 10 %
recording an assistant turn with ``flywheel.record_turn``, 25 % doing ~1 ms of work.
Usage: python benchmarks/bench_flywheel.py [--runs 5] [--tests 300] [--suite PATH]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTS_PER_FILE = 50
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]

_HEADER = '''"""Synthetic host suite for benchmarks/bench_flywheel.py."""
import time

import pytest


def _work(ms: float = 1.0) -> None:
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass

'''


def _test_source(i: int) -> str:
    """One test; its kind cycles so every file has the same mix."""
    kind = i % 20
    if kind == 0:
        return f"def test_{i}_fails():\n    assert {i} == -1, 'intent mismatch'\n"
    if kind in (1, 2):
        return (
            f'@pytest.mark.component("orchestrator")\n'
            f"@pytest.mark.slo(target_ms=2000)\n"
            f"def test_{i}_turn(flywheel):\n"
            f'    flywheel.record_turn("boka möte imorgon kl {i % 24}", intent="TIME.BOOK",\n'
            f'                         confidence=0.9, slots={{"time": "{i % 24}:00"}},\n'
            f'                         output="Mötet är bokat", route="planner",\n'
            f"                         latency_ms={100 + i}, first_ms=50)\n"
            f'    flywheel.metric("tokens", {i})\n'
        )
    if kind < 8:
        return f"def test_{i}_work():\n    _work()\n    assert True\n"
    return f"def test_{i}_passes():\n    assert sum(range({i})) >= 0\n"


def write_suite(root: Path, n_tests: int) -> Path:
    """A fresh synthetic suite of ``n_tests`` tests under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for start in range(0, n_tests, TESTS_PER_FILE):
        body = "\n\n".join(
            _test_source(i) for i in range(start, min(n_tests, start + TESTS_PER_FILE))
        )
        (root / f"test_bench_{start // TESTS_PER_FILE:02d}.py").write_text(
            _HEADER + "\n" + body, encoding="utf-8"
        )
    return root


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(suite: Path, cwd: Path, extra: list[str], pycache: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds (user + system) of one pytest subprocess, and its output.

    Bytecode goes to a private cache (``pycache``) even where the environment turns caching
    off (PYTHONDONTWRITEBYTECODE), as on a developer's machine: otherwise every run would
    compile the plugin, pytest and the suite again, and the tree is left untouched."""
    skip = {"KVARN_TEST_SESSION_ID", "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(
        [*PYTEST, str(suite), *extra], cwd=cwd, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    if proc.returncode not in (0, 1):  # 1: the suite has failing tests, which is expected
        sys.exit(f"pytest exited {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return wall, cpu, proc.stdout


def _count(output: str) -> int:
    """Number of tests pytest ran, from its final line ("3 failed, 297 passed in 0.9s")."""
    last = output.strip().splitlines()[-1] if output.strip() else ""
    return sum(int(n) for n in re.findall(r"(\d+) (?:passed|failed|errors?|skipped|xfailed)", last))


def bench(suite: Path, cwd: Path, runs: int) -> None:
    """Median wall time per mode; the modes take turns in a rotating order, so drift in
    the machine's load spreads over all of them."""
    with tempfile.TemporaryDirectory(prefix="kvarn-flywheel-landing-") as tmp:
        landing = Path(tmp) / "landing"
        modes = {
            "plugin not loaded (-p no:kvarn)": ["-p", "no:kvarn"],
            "without --kvarn-telemetry": [],
            "with --kvarn-telemetry": ["--kvarn-telemetry", str(landing)],
        }
        walls: dict[str, list[float]] = {m: [] for m in modes}
        cpus: dict[str, list[float]] = {m: [] for m in modes}
        names = list(modes)
        telemetry_line, tests = "", 0
        for i in range(runs + 1):  # round 0 warms bytecode caches and is not counted
            order = names[i % len(names) :] + names[: i % len(names)]
            for name in order:
                shutil.rmtree(landing, ignore_errors=True)
                wall, cpu, out = run_once(suite, cwd, modes[name], Path(tmp) / "pycache")
                tests = tests or _count(out)
                line = next((ln for ln in out.splitlines() if ln.startswith("kvarn telemetry")), "")
                telemetry_line = line or telemetry_line
                if i:
                    walls[name].append(wall)
                    cpus[name].append(cpu)
    median = {m: statistics.median(w) for m, w in walls.items()}
    median_cpu = {m: statistics.median(c) for m, c in cpus.items()}
    off, on = median[names[1]], median[names[2]]
    print(f"suite: {suite} ({tests} tests), {runs} runs of each mode, rotating order")
    print(f"pytest command: cd {shlex.quote(str(cwd))} && {shlex.join([*PYTEST, str(suite)])}")
    for name in names:
        print(
            f"  {name:<32} median {median[name]:.3f} s wall (min {min(walls[name]):.3f}), "
            f"{median_cpu[name]:.3f} s cpu  (wall runs: {_fmt(walls[name])})"
        )
    idle = (off / median[names[0]] - 1) * 100
    added = (on / off - 1) * 100
    per_test = (on - off) / tests * 1e6 if tests else float("nan")
    print(f"  plugin loaded but off vs not loaded: {idle:+.1f} % wall")
    print(
        f"  with vs without --kvarn-telemetry: ratio {on / off:.3f}, {added:+.1f} % wall "
        f"({(on - off) * 1000:+.0f} ms, {per_test:+.0f} µs per test); "
        f"target < 5 %: {'met' if added < 5 else 'NOT met'}"
    )
    cpu_added = (median_cpu[names[2]] / median_cpu[names[1]] - 1) * 100
    print(f"  with vs without --kvarn-telemetry, cpu (less sensitive to load): {cpu_added:+.1f} %")
    print(f"  {telemetry_line or 'no kvarn telemetry line in the recorded runs'}")


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.3f}" for v in values)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each mode")
    parser.add_argument("--tests", type=int, default=300, help="size of the synthetic suite")
    parser.add_argument("--suite", type=Path, help="an existing suite instead of the synthetic")
    args = parser.parse_args(argv)
    print("command:", shlex.join([sys.executable, *sys.argv]))
    if args.suite is not None:
        suite = args.suite.resolve()
        if not suite.exists():
            sys.exit(f"no such suite: {suite}")
        bench(suite, Path.cwd(), args.runs)
        return
    with tempfile.TemporaryDirectory(prefix="kvarn-flywheel-suite-") as tmp:
        suite = write_suite(Path(tmp) / "suite", args.tests)
        bench(suite, Path(tmp), args.runs)


if __name__ == "__main__":
    main()
