"""Start-up cost of a whole ``flask`` process (issue 26): the CPU time of
``flask --app portal routes`` against the same command on a plain Flask + Flask-SQLAlchemy app
of one route (``bench/minimal_app.py``), measured in the same run, alternating, N times each.

    .venv/bin/python bench/startup.py              # 7 runs of each, ratio of the medians (target ≤ 2)
    .venv/bin/python bench/startup.py --runs 15 --hyperfine

CPU time of a child = user + system from ``resource.getrusage(RUSAGE_CHILDREN)`` deltas, so
other jobs on a shared machine slow both commands alike rather than inflating wall time.
Both processes may write their bytecode cache (``PYTHONDONTWRITEBYTECODE`` is dropped from their
environment, as a deployed process has its ``.pyc`` files); the first run of each is a warm-up.
``--hyperfine`` also runs hyperfine (the Debian package) on both commands when it is installed.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))
TARGET = 2.0


def commands() -> dict[str, list[str]]:
    return {"portal": [FLASK, "--app", "portal", "routes"],
            "minimal": [FLASK, "--app", "bench.minimal_app", "routes"]}


def child_env(instance: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("PORTAL_")}
    env["PYTHONPATH"] = str(ROOT)
    env["PORTAL_SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance}/portal.sqlite3"
    env["PORTAL_WORKER_MODE"] = "memory"
    return env


def cpu_of(command: list[str], env: dict[str, str]) -> float:
    """User + system CPU seconds of one whole process (and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(runs: int, env: dict[str, str]) -> dict[str, list[float]]:
    cmds = commands()
    for command in cmds.values():   # warm-up: bytecode cache, page cache
        cpu_of(command, env)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):           # alternating, so that a busy moment hits both
        for name, command in cmds.items():
            times[name].append(cpu_of(command, env))
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--hyperfine", action="store_true", help="also run hyperfine when installed")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as instance:
        env = child_env(instance)
        times = measure(args.runs, env)
        print(f"CPU seconds of a whole process, {args.runs} runs each (median, min, max):")
        for name, values in times.items():
            print(f"  {name:8} {statistics.median(values):.3f}  {min(values):.3f}  {max(values):.3f}"
                  f"   {' '.join(commands()[name][1:])}")
        ratio = statistics.median(times["portal"]) / statistics.median(times["minimal"])
        best = min(times["portal"]) / min(times["minimal"])
        print(f"ratio portal / minimal: {ratio:.2f} (medians), {best:.2f} (minimums); target ≤ {TARGET:g}")
        if args.hyperfine:
            hyperfine = shutil.which("hyperfine")
            if hyperfine is None:
                print("hyperfine is not installed (Debian package 'hyperfine'): skipped")
            else:
                subprocess.run([hyperfine, "--warmup", "1", "--runs", str(args.runs), "-N",
                                " ".join(commands()["portal"]), " ".join(commands()["minimal"])],
                               cwd=ROOT, env=env, check=False)
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
