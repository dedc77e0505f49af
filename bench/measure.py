"""One migrate run in a fresh process: prints JSON with the conversion time and peak memory.

python bench/measure.py SRC OUT TARGET JOBS
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    src, out, target, jobs = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    from migrate.config import Config
    from migrate.executors import make_executor
    from migrate.pipeline import Job, convert, discover_sources

    config = Config.from_file(src / "migrate.toml")
    start = time.perf_counter()
    job = Job(
        sources=discover_sources([src], exclude=[out]), target=target, out=out, config=config, roots=[src]
    )
    with make_executor("process", jobs) as ex:
        report = convert(job, executor=ex)
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = report.totals()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": (own + (children if jobs > 1 else 0)) / 1024,
                "converted": t["files"] - t["cached"],
                "failed": t["error"],
            }
        )
    )


if __name__ == "__main__":
    main()
