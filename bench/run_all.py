"""Run every benchmark and write bench/REPORT.md: each bench's table, with the machine it ran on.

    python bench/run_all.py [--quick]

--quick passes each bench its smaller sizes (for a smoke run); the report says so.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    ("MinHash signatures", ["bench_minhash.py"], []),
    ("Near-duplicate quality", ["bench_neardup.py"], []),
    ("LSH lookup + insert", ["bench_lsh.py"], ["--records", "100000", "--measure", "10000"]),
    ("Embedding encoder", ["bench_encoder.py"], []),
    ("End-to-end ingest", ["bench_ingest.py"], ["--records", "5000"]),
    ("Worker memory", ["bench_ingest_memory.py"], ["--records", "100000"]),
    ("Mixed load (gunicorn + PostgreSQL + Redis + Celery)", ["bench_load.py"], ["--duration", "60", "--users", "20"]),
    ("Settlement gas", ["bench_settlement_gas.py"], ["--no-check"]),
    ("Proof of Attribution", ["bench_attribution.py"],
     ["--records", "1000", "--per-kind", "40", "--index-size", "100000", "--events", "100"]),
    ("Next review item", ["bench_review_next.py"], ["--records", "100000", "--in-review", "10000", "--samples", "50"]),
    ("Release export", ["bench_release_export.py"], ["--records", "50000"]),
]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.platform()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    parts = [f"# Benchmark report\n\nMachine: {machine()}  \nRun: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
             + (" (quick sizes)" if args.quick else "") + "\n"]
    failed = []
    for title, script, quick in BENCHES:
        cmd = [sys.executable, str(HERE / script[0]), *(quick if args.quick else [])]
        print(f"== {title}: {' '.join(cmd[1:])}", flush=True)
        start = time.time()
        result = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        output = result.stdout.strip()
        print(output)
        parts.append(f"## {title}\n\n`python bench/{' '.join([script[0], *(quick if args.quick else [])])}` "
                     f"({time.time() - start:.0f} s)\n\n{output}\n")
        if result.returncode != 0:
            failed.append(title)
            parts.append(f"**Failed** (exit {result.returncode}):\n\n```\n{result.stderr[-3000:]}\n```\n")
    (HERE / "REPORT.md").write_text("\n".join(parts))
    print(f"wrote {HERE / 'REPORT.md'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
