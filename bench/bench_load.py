"""Mixed load on the production profile over loopback: gunicorn + PostgreSQL + Redis + a Celery
worker, driven by locust (bench/load/locustfile.py) — people browsing, API lists, small uploads and
reviews at once. Prints requests/s, p50/p95/p99 latency and the error rate per kind of request, and
the ratio of the mixed load's throughput to a plain /healthz baseline measured in the same run.

    python bench/bench_load.py [--duration 300] [--users 40] [--baseline 30]

Needs PostgreSQL on 127.0.0.1:5432 (role root) and Redis on 127.0.0.1:6379; uses its own database
(datanets_load) and Redis databases 10–12, and stops everything it started when it ends.
"""

import argparse
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DB = "datanets_load"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], env: dict, **kw) -> str:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, text=True, **kw).stdout


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not come up")


def locust(env: dict, host: str, users: int, seconds: int, out: Path, user_classes: list[str]) -> list[dict]:
    cmd = [str(BIN / "locust"), "-f", str(ROOT / "bench/load/locustfile.py"), "--headless", "-u", str(users),
           "-r", str(max(1, users // 5)), "-t", f"{seconds}s", "--host", host, "--csv", str(out),
           "--only-summary", "--stop-timeout", "10", *user_classes]
    subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 120)
    with open(f"{out}_stats.csv") as f:
        return list(csv.DictReader(f))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=300, help="seconds of mixed load (default 300)")
    parser.add_argument("--users", type=int, default=40, help="simulated users (default 40)")
    parser.add_argument("--baseline", type=int, default=30, help="seconds of the /healthz baseline")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="datanets-load-"))
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"postgres://root@127.0.0.1:5432/{DB}",
           "CELERY_BROKER_URL": "redis://127.0.0.1:6379/10", "CACHE_URL": "redis://127.0.0.1:6379/11",
           "REDIS_URL": "redis://127.0.0.1:6379/12", "LSH_BACKEND": "redis", "STORAGE_BACKEND": "local",
           "DATA_DIR": str(work / "data"), "DEBUG": "0", "HTTPS": "0", "SECRET_KEY": "load-test-" + "x" * 50,
           "ALLOWED_HOSTS": "127.0.0.1", "HF_HUB_OFFLINE": "1", "DJANGO_SETTINGS_MODULE": "openledger.settings",
           # The load is many users from one address: the per-user API limits are the thing under test
           # elsewhere (tests/), not here.
           "API_RATE_USER": "100000/min", "API_RATE_ANON": "100000/min", "MAX_UPLOADS_PER_DAY": "100000"}
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", DB], check=True)
    run([str(BIN / "python"), "-c", "import redis; [redis.Redis(db=d).flushdb() for d in (10, 11, 12)]"], env)
    run([str(BIN / "python"), "manage.py", "migrate", "--noinput"], env)
    run([str(BIN / "python"), "manage.py", "collectstatic", "--noinput"], env)
    run([str(BIN / "python"), "manage.py", "prepare_models"], env)
    fixtures = work / "fixtures.json"
    fixtures.write_text(run([str(BIN / "python"), "bench/load/seed.py"], env).strip().splitlines()[-1])
    env["LOAD_FIXTURES"] = str(fixtures)

    procs = [
        subprocess.Popen([str(BIN / "gunicorn"), "openledger.wsgi", "-b", f"127.0.0.1:{port}", "-w", "3",
                          "--threads", "4", "--timeout", "60", "--keep-alive", "75", "--log-level", "warning"],
                         env=env, cwd=ROOT, stdout=open(work / "gunicorn.log", "w"), stderr=subprocess.STDOUT,
                         start_new_session=True),
        subprocess.Popen([str(BIN / "celery"), "-A", "openledger", "worker", "--pool=solo", "--concurrency=1",
                          "--loglevel=WARNING"], env=env, cwd=ROOT, stdout=open(work / "worker.log", "w"),
                         stderr=subprocess.STDOUT, start_new_session=True),
    ]
    host = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{host}/healthz")
        base_env = {**env, "LOCUST_HEALTHZ_ONLY": "1"}
        baseline = locust(base_env, host, args.users, args.baseline, work / "baseline", ["Healthz"])
        mixed = locust(env, host, args.users, args.duration, work / "mixed",
                       ["Browser", "ApiReader", "Contributor", "Curator"])
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(p.pid, signal.SIGKILL)

    print(f"Mixed load: {args.users} users for {args.duration} s against gunicorn (3 workers × 4 threads, keep-alive 75 s) + "
          "PostgreSQL + Redis + 1 Celery worker, all on this machine.\n")
    print("| request | count | failures | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    total = None
    for row in mixed:
        if row["Name"] == "Aggregated":
            total = row
            continue
        print(f"| {row['Type']} {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
              f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |")
    base = next(r for r in baseline if r["Name"] == "Aggregated")
    if total is not None:
        count, failures = int(total["Request Count"]), int(total["Failure Count"])
        print(f"| **all** | {count} | {failures} | {float(total['Requests/s']):.1f} | {total['50%']} | "
              f"{total['95%']} | {total['99%']} |")
        print(f"\nError rate: {failures / max(count, 1):.4%} (target 0). Baseline GET /healthz: "
              f"{float(base['Requests/s']):.1f} req/s, p95 {base['95%']} ms.")
        print(f"Ratio, mixed load / healthz baseline throughput at the same user count: "
              f"{float(total['Requests/s']) / max(float(base['Requests/s']), 1e-9):.2f}×")
        failures_file = Path(f"{work / 'mixed'}_failures.csv")
        if failures and failures_file.exists():
            print("\nFailures:\n\n" + failures_file.read_text()[:2000])
            print("\ngunicorn log (tail):\n\n" + (work / "gunicorn.log").read_text()[-3000:])
    shutil.rmtree(work, ignore_errors=True)
    if total is None or int(total["Failure Count"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
