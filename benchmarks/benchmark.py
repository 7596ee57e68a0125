"""Measure the module's speed and memory targets on this machine.

Usage (from the repository root, with the environment made by `make`):

    .venv/bin/python benchmarks/benchmark.py            # world generation and attack kernels
    .venv/bin/python benchmarks/benchmark.py --quick    # skip the 4x world and the 1000 Genomes-sized world

Prints a table and writes ``benchmarks/results/benchmark.json``. Exits non-zero if a target
is missed. This is a separate command from the test suite: timings are measured here, never
asserted in unit tests.

Each measurement runs in a fresh Python process so that its peak memory (resident set
size) is its own.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"

WORLD_DEFAULT = dict(n_participants=1000, n_snps=10_000, n_reference=500, n_database=2000, n_relatives=300, population_size=100_000)


def run_child(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it must print one JSON object on its last line."""
    wrapper = textwrap.dedent(
        """
        import json, resource, sys, time
        result = {}
        """
    ) + textwrap.dedent(code) + textwrap.dedent(
        """
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        """
    )
    completed = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, cwd=ROOT)
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def world_generation(scale: float) -> dict:
    """Generate a world with people and SNPs each scaled by sqrt(scale), so people x SNPs scales by `scale`."""
    factor = scale**0.5
    params = {key: int(round(value * factor)) for key, value in WORLD_DEFAULT.items() if key != "population_size"}
    params["population_size"] = int(WORLD_DEFAULT["population_size"] * factor)
    code = f"""
        from genshare.cohort import simulate_world
        start = time.perf_counter()
        world = simulate_world(seed=2026, **{params!r})
        result["seconds"] = time.perf_counter() - start
        result["people"] = len(world.cohort) + len(world.reference) + len(world.database)
        result["snps"] = len(world.snps)
    """
    return run_child(code)


def thousand_genomes_world_and_kernels() -> dict:
    """Generate a 2,504 x 100,000 world and time the attack kernels on it, with their floors."""
    code = """
        import numpy as np
        from genshare.cohort import simulate_world
        from genshare.attacks import homer_statistic, kinship, uniqueness_curve
        from genshare.popgen import allele_frequencies

        start = time.perf_counter()
        world = simulate_world(seed=1000, n_participants=2504, n_snps=100_000, n_reference=0, n_database=0,
                               n_relatives=0, population_size=3000)
        result["generation_seconds"] = time.perf_counter() - start
        g = world.cohort_genotypes

        def best_of(function, repeats=3):
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                function()
                times.append(time.perf_counter() - start)
            return min(times)

        counts = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 10_000, 100_000]
        result["uniqueness_curve_seconds"] = best_of(lambda: uniqueness_curve(g, counts, seed=0))
        # Floor: one pass that reads the whole matrix (a row sum).
        result["uniqueness_floor_seconds"] = best_of(lambda: g.sum(axis=1, dtype=np.int64))

        rng = np.random.default_rng(0)
        cols = rng.choice(g.shape[1], size=10_000, replace=False)
        a = g[rng.integers(0, g.shape[0], size=1000)][:, cols]
        b = g[rng.integers(0, g.shape[0], size=5000)][:, cols]
        result["kinship_seconds"] = best_of(lambda: kinship(a, b))
        missing = bool((a < 0).any() or (b < 0).any())
        # Floor: the float32 matrix products kinship reduces to (one without missing calls, four with).
        sa, sb = (a == 2).astype(np.float32) - (a == 0), (b == 2).astype(np.float32) - (b == 0)
        if missing:
            ha, hb = (a == 1).astype(np.float32), (b == 1).astype(np.float32)
            ma, mb = (a < 0).astype(np.float32), (b < 0).astype(np.float32)
            floor = lambda: (sa @ sb.T, ha @ mb.T, ma @ hb.T, ma @ mb.T)
        else:
            floor = lambda: sa @ sb.T
        result["kinship_floor_seconds"] = best_of(floor)
        result["kinship_missing_calls"] = missing

        members = g[:2000]
        mix, pop = allele_frequencies(members), allele_frequencies(g[2000:])
        result["homer_seconds"] = best_of(lambda: homer_statistic(members, mix, pop))
        # Floor: one elementwise pass over the 2,000 x 100,000 matrix in float32.
        result["homer_floor_seconds"] = best_of(lambda: np.abs(members.astype(np.float32) * 0.5 - mix.astype(np.float32)).sum(axis=1))
    """
    return run_child(code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 4x world and the 1000 Genomes-sized world")
    args = parser.parse_args(argv)

    rows: list[tuple[str, str, str, bool]] = []  # measurement, value, target, passed
    report: dict = {"machine": {"python": platform.python_version(), "processor": platform.machine(), "cpus": __import__("os").cpu_count()}}

    scales = [1, 2] if args.quick else [1, 2, 4]
    generation = {scale: world_generation(scale) for scale in scales}
    report["world_generation"] = generation
    base = generation[1]
    rows.append(("default world: generation time", f"{base['seconds']:.1f} s", "<= 30 s", base["seconds"] <= 30))
    rows.append(("default world: peak memory", f"{base['peak_mb']:.0f} MB", "<= 1024 MB", base["peak_mb"] <= 1024))
    for scale in scales[1:]:
        growth = generation[scale]["seconds"] / base["seconds"]
        rows.append((f"world at {scale}x people x SNPs: time ratio", f"{growth:.2f}", f"<= {scale * 1.15:.2f} (linear)", growth <= scale * 1.15))

    if not args.quick:
        big = thousand_genomes_world_and_kernels()
        report["thousand_genomes"] = big
        rows.append(("2,504 x 100,000 world: generation time", f"{big['generation_seconds']:.0f} s", "completes", True))
        rows.append(("uniqueness curve, 2,504 x 100,000", f"{big['uniqueness_curve_seconds']:.2f} s", "<= 2 s", big["uniqueness_curve_seconds"] <= 2))
        ratio = big["kinship_seconds"] / big["kinship_floor_seconds"]
        rows.append(("kinship 1,000 x 5,000 over 10,000 SNPs", f"{big['kinship_seconds']:.2f} s", "<= 5 s", big["kinship_seconds"] <= 5))
        rows.append(("kinship / matrix-product floor", f"{ratio:.2f}", "<= 2", ratio <= 2))
        rows.append(("Homer statistic, 2,000 x 100,000", f"{big['homer_seconds']:.2f} s", "<= 2 s", big["homer_seconds"] <= 2))
        rows.append(("Homer / elementwise floor", f"{big['homer_seconds'] / big['homer_floor_seconds']:.2f}", "(reported)", True))

    width = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{width}}  {'value':>10}  {'target':<22} result")
    for name, value, target, passed in rows:
        print(f"{name:<{width}}  {value:>10}  {target:<22} {'pass' if passed else 'MISS'}")
    report["checks"] = [{"measurement": n, "value": v, "target": t, "passed": p} for n, v, t, p in rows]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "benchmark.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {RESULTS / 'benchmark.json'}")
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
