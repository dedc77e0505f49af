"""Benchmark: migrate against plain docutils (the floor) and pandoc per file (what users do today).

    python bench/run.py                 # N=2000 posts, every measurement, prints a table
    python bench/run.py --posts 500 --pandoc-limit 200
    python bench/run.py --memory        # peak memory at N=500 and N=5000 (--jobs 1)

All measurements run on the same generated files (bench/corpus.py) in one run.  migrate
runs in a fresh subprocess per measurement (bench/measure.py) so each gets a cold cache and
its own peak-memory reading; the time reported is the conversion itself, not interpreter
start-up.  See docs/performance.md for the recorded results and the profile.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import generate  # noqa: E402


def docutils_floor(paths: list[Path]) -> float:
    """publish_doctree on every file, nothing else: the cost no rST tool can avoid."""
    from docutils.core import publish_doctree

    start = time.perf_counter()
    for p in paths:
        publish_doctree(
            p.read_text(encoding="utf-8"),
            settings_overrides={"report_level": 5, "halt_level": 5, "warning_stream": False},
        )
    return time.perf_counter() - start


def docutils_floor_parallel(paths: list[Path], workers: int) -> float:
    """The floor split over ``workers`` processes: how well this machine itself scales right
    now (a shared VM's second core is not always a whole core), the ceiling for migrate's."""
    from concurrent.futures import ProcessPoolExecutor

    parts = [paths[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers) as ex:
        ex.submit(sum, [0]).result()  # workers started before the clock
        start = time.perf_counter()
        list(ex.map(docutils_floor, parts))
    return time.perf_counter() - start


def pandoc_per_file(paths: list[Path], out: Path) -> float:
    """pypandoc.convert_file per post to GFM, the usual hand-rolled migration script."""
    import pypandoc

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for p in paths:
        text = pypandoc.convert_file(str(p), "gfm", format="rst")
        (out / (p.stem + ".md")).write_text(text, encoding="utf-8")
    return time.perf_counter() - start


def migrate_run(src: Path, out: Path, jobs: int, target: str = "hugo", *extra: str) -> dict:
    cmd = [sys.executable, str(HERE / "measure.py"), str(src), str(out), target, str(jobs), *extra]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=2000)
    ap.add_argument(
        "--pandoc-limit", type=int, default=0, help="time pandoc on the first K posts only (0: all)"
    )
    ap.add_argument("--target", default="hugo")
    ap.add_argument("--memory", action="store_true", help="only the peak-memory check at N=500 and N=5000")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved rounds; the best of each is kept")
    args = ap.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="migrate-bench-"))
    try:
        if args.memory:
            rows = []
            for n in (500, 5000):
                src = work / f"src{n}"
                generate(src, n)
                r = migrate_run(src, work / f"out{n}", 1, args.target)
                rows.append((n, r["seconds"], r["peak_mb"]))
            print(f"{'posts':>6} {'seconds':>8} {'peak MB':>8} {'MB/post':>8}")
            for n, s, mb in rows:
                print(f"{n:>6} {s:>8.2f} {mb:>8.1f} {mb / n:>8.3f}")
            print(f"peak memory ratio N=5000/N=500: {rows[1][2] / rows[0][2]:.2f} (flat is ~1)")
            return
        src = work / "src"
        paths = generate(src, args.posts)
        n = len(paths)
        pandoc_paths = paths[: args.pandoc_limit] if args.pandoc_limit else paths
        pandoc = pandoc_per_file(pandoc_paths, work / "pandoc") * n / len(pandoc_paths)
        # The machine's speed drifts by 15% or more from one minute to the next (a shared VM):
        # the floor and every migrate run are repeated in interleaved rounds, so each round
        # measures them all under the same conditions, and the best of the rounds is kept.
        # Every full run writes to a new folder and nothing is deleted until the end: creating
        # files right after thousands were deleted is several times slower on ext4 (its inode
        # allocator scans the recently freed ones), which would charge one run for the last.
        floors, ones, twos, fulls, agains, pfloors = [], [], [], [], [], []
        for r in range(args.repeat):
            floors.append(docutils_floor(paths))
            pfloors.append(docutils_floor_parallel(paths, 2))
            plan = [(ones, "out1", 1)]
            if cores > 2:
                plan.append((twos, "out2", 2))
            plan.append((fulls, "outN", cores))  # on two cores, also the --jobs 2 row
            for runs, out, jobs in plan:
                runs.append(migrate_run(src, work / f"{out}-{r}", jobs, args.target))
            agains.append(migrate_run(src, work / f"outN-{r}", cores, args.target))
        best = lambda runs: min(runs, key=lambda r: r["seconds"])  # noqa: E731
        floor = min(floors)
        one, full, again = best(ones), best(fulls), best(agains)
        two = best(twos) if twos else (full if cores == 2 else None)
        victim = paths[n // 2]
        victim.write_text(victim.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        changed = migrate_run(src, work / f"outN-{args.repeat - 1}", cores, args.target)
        rows = [
            ("docutils publish_doctree (floor)", floor, 1),
            (f"pandoc per file{' (extrapolated)' if len(pandoc_paths) < n else ''}", pandoc, 1),
            ("migrate --jobs 1", one["seconds"], 1),
        ]
        if two:
            rows.append(("migrate --jobs 2", two["seconds"], 2))
        rows += [
            (f"migrate --jobs {cores} (all cores)", full["seconds"], cores),
            ("migrate re-run, nothing changed", again["seconds"], cores),
            ("migrate re-run, one post changed", changed["seconds"], cores),
        ]
        print(f"{n} posts, target {args.target}, {cores} cores, Python {sys.version.split()[0]}\n")
        print(f"| {'run':<36} | {'seconds':>8} | {'ms/post':>8} | {'vs floor':>8} | {'vs pandoc':>9} |")
        print(f"|{'-' * 38}|{'-' * 10}|{'-' * 10}|{'-' * 10}|{'-' * 11}|")
        for name, secs, _ in rows:
            print(
                f"| {name:<36} | {secs:>8.2f} | {secs / n * 1000:>8.2f} | {secs / floor:>7.2f}x | {pandoc / secs:>8.1f}x |"
            )
        print()
        print("targets:")
        checks = [
            ("all-cores throughput >= 8x pandoc per file", pandoc / full["seconds"], ">=", 8),
            ("--jobs 1 cost <= 1.3x docutils floor", one["seconds"] / floor, "<=", 1.3),
            ("no-change re-run <= 3% of a full run", again["seconds"] / full["seconds"] * 100, "<=", 3),
        ]
        if two:
            checks.append(("speed-up on 2 cores >= 1.8x", one["seconds"] / two["seconds"], ">=", 1.8))
        for name, value, op, goal in checks:
            ok = value >= goal if op == ">=" else value <= goal
            print(f"  {'PASS' if ok else 'MISS'}  {name}: {value:.2f}")
        print(
            f"\npeak memory (MB): jobs 1 {one['peak_mb']:.0f}, all cores {full['peak_mb']:.0f} (parent + workers)"
        )
        print(
            f"one-post-changed re-run converted {changed['converted']} posts; no-change re-run {again['converted']}"
        )
        secs = lambda runs: ", ".join(f"{r['seconds']:.2f}" for r in runs)  # noqa: E731
        print(f"rounds (s): floor {', '.join(f'{f:.2f}' for f in floors)}; --jobs 1 {secs(ones)}; ", end="")
        print(f"--jobs {cores} {secs(fulls)}; nothing changed {secs(agains)}")
        machine = [f / p for f, p in zip(floors, pfloors, strict=True)]
        pairs = [o["seconds"] / t["seconds"] for o, t in zip(ones, twos or fulls, strict=True)]
        print(
            "2-core speed-up per round: docutils alone (the machine's ceiling) "
            + ", ".join(f"{m:.2f}x" for m in machine)
            + ("; migrate " + ", ".join(f"{x:.2f}x" for x in pairs) if two else "")
        )
    finally:
        if args.keep:
            print(f"files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
