#!/usr/bin/python3
"""Side by side, one run: reading .xz from Python, stock vs parxz threads.

    bench/python_read.sh [--runs 7] [--threads 2] [--file sil7.tar]
                         [--limit BYTES] [--csv-mb 100] [--work DIR]

(a) lzma.open(f).read() vs parxz.lzma.open(f, threads=T).read() of the
    sample (sil7.tar, bench/corpus.sh) compressed `xz -6 -T2
    --block-size=4MiB` by /usr/bin/xz.
(b) pandas.read_csv of a generated CSV (~csv-mb MB) .csv.xz, stock vs after
    parxz.lzma.install(threads=T). The .csv.xz is written by pandas' to_csv
    through install(threads=T, block_size=4 MiB), so it has many Blocks.
(c) as (a) on the one-Block `xz -6 -T1` file of the sample, the file most
    people have: no Block to spread, so only the check (and the reads)
    can leave the decoding thread (goal: not slower than stock).
Each measurement runs in a fresh interpreter (so peak RSS is its own),
interleaved stock/parxz run by run (the order alternating); prints medians,
min-max, the median of the paired ratios (goals: (a) >= 1.8x, (b) >= 1.4x,
(c) >= 1.0x on 2 cores) and each reader's peak RSS.
Inputs are cached in --work. Not part of any test run (minutes of CPU).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCK = 4 << 20

# Each child measures one read and prints {"s": seconds, "rss": KiB, ...}.
CHILD = r"""
import json, resource, sys, time, zlib
kind, path, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
if kind == "csv_parxz":
    import parxz.lzma
    parxz.lzma.install(threads=threads)
if kind.startswith("csv"):
    import pandas as pd
    start = time.perf_counter()
    frame = pd.read_csv(path)
    seconds = time.perf_counter() - start
    check = [len(frame), int(frame["a"].sum())]
else:
    if kind == "open_parxz":
        import parxz.lzma as module
        kwargs = {"threads": threads}
    else:
        import lzma as module
        kwargs = {}
    start = time.perf_counter()
    with module.open(path, **kwargs) as f:
        data = f.read()
    seconds = time.perf_counter() - start
    check = [len(data), zlib.crc32(data)]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"s": seconds, "rss": rss, "check": check}))
"""

# Writes the CSV .xz through install(); argv: path rows threads.
MAKE_CSV = r"""
import sys
import numpy as np, pandas as pd
import parxz.lzma
path, rows, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
parxz.lzma.install(threads=threads, block_size=%d)
rng = np.random.default_rng(16)
words = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta"])
frame = pd.DataFrame({
    "a": rng.integers(0, 1_000_000, rows),
    "b": rng.normal(size=rows).round(5),
    "c": words[rng.integers(0, len(words), rows)],
    "d": rng.integers(0, 100, rows),
    "e": (rng.random(rows) * 1000).round(2),
})
frame.to_csv(path, index=False)
""" % BLOCK


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, **kwargs)


def python_env():
    """PYTHONPATH with parxz: the caller's, else a fresh install."""
    env = dict(os.environ)
    probe = subprocess.run([sys.executable, "-c", "import parxz.lzma"],
                           env=env, capture_output=True)
    if probe.returncode != 0:
        prefix = os.path.join(env.get("TMPDIR", "/tmp"), "parxz-py-read")
        run([os.path.join(TOP, "python", "install_python.sh"), prefix])
        site = os.path.join(prefix, "lib", "python3.11", "site-packages")
        env["PYTHONPATH"] = site + os.pathsep + env.get("PYTHONPATH", "")
    return env


def prepare(args, env):
    os.makedirs(args.work, exist_ok=True)
    sample = args.file or run([os.path.join(TOP, "bench", "corpus.sh")],
                              stdout=subprocess.PIPE, text=True).stdout.strip()
    tag = f"{os.path.basename(sample)}.{args.limit or 'all'}"
    xz_path = os.path.join(args.work, tag + ".4MiB.xz")
    one_path = os.path.join(args.work, tag + ".t1.xz")
    for path, flags in ((xz_path, ["-T2", "--block-size=4MiB"]),
                        (one_path, ["-T1"])):
        if os.path.exists(path):
            continue
        with open(sample, "rb") as f:
            data = f.read(args.limit or -1)
        blob = run(["xz", "-6"] + flags + ["-c"], input=data,
                   stdout=subprocess.PIPE).stdout
        with open(path + ".tmp", "wb") as f:
            f.write(blob)
        os.replace(path + ".tmp", path)
    rows = int(args.csv_mb * 1e6 / 31)  # about 31 bytes a row
    csv_path = os.path.join(args.work, f"frame{rows}.csv.xz")
    if not os.path.exists(csv_path):
        run([sys.executable, "-c", MAKE_CSV, csv_path + ".tmp.csv.xz",
             str(rows), str(args.threads)], env=env)
        os.replace(csv_path + ".tmp.csv.xz", csv_path)
    return xz_path, csv_path, one_path


def robot_list(path):
    """(Blocks, uncompressed bytes) as xz counts them."""
    out = run(["xz", "--robot", "-l", path], stdout=subprocess.PIPE,
              text=True).stdout
    fields = next(l for l in out.splitlines() if l.startswith("file\t"))
    fields = fields.split("\t")
    return int(fields[2]), int(fields[4])


def measure(kind, path, threads, env):
    out = run([sys.executable, "-c", CHILD, kind, path, str(threads)],
              env=env, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--file", help="sample to compress (default: sil7.tar)")
    parser.add_argument("--limit", type=int, default=0,
                        help="use only the first LIMIT bytes of the sample")
    parser.add_argument("--csv-mb", type=float, default=100)
    parser.add_argument("--work", default=os.path.join(
        os.environ.get("TMPDIR", "/tmp"), "parxz-python-read"))
    args = parser.parse_args()
    env = python_env()
    xz_path, csv_path, one_path = prepare(args, env)
    print(f"{os.cpu_count()} CPUs, threads {args.threads}, {args.runs} runs, "
          f"load average {os.getloadavg()[0]:.2f} at start")
    for label, path in (("(a)", xz_path), ("(b)", csv_path),
                        ("(c)", one_path)):
        blocks, size = robot_list(path)
        print(f"{label} {path}: {os.path.getsize(path)} bytes compressed, "
              f"{size} uncompressed, {blocks} Blocks")
    # name: (stock kind, parxz kind, file, goal)
    pairs = {"(a) lzma.open().read()": ("open_stock", "open_parxz", xz_path,
                                        1.8),
             "(b) pandas.read_csv": ("csv_stock", "csv_parxz", csv_path, 1.4),
             "(c) one-Block lzma.open().read()": ("open_stock", "open_parxz",
                                                  one_path, 1.0)}
    results = {(name, kind): [] for name, (s, p, _, _) in pairs.items()
               for kind in (s, p)}
    for i in range(args.runs):
        line = []
        for name, (stock, parxz, path, _) in pairs.items():
            # The order within a pair alternates run by run.
            for kind in (stock, parxz) if i % 2 == 0 else (parxz, stock):
                got = measure(kind, path, args.threads, env)
                results[(name, kind)].append(got)
                line.append(f"{name[:3]} {kind} {got['s']:.2f}s")
            if (results[(name, stock)][-1]["check"] !=
                    results[(name, parxz)][-1]["check"]):
                raise SystemExit(f"{name}: parxz read something else")
        print(f"run {i + 1}: " + ", ".join(line), flush=True)
    print(f"\n{'':38} {'median s':>9} {'min-max s':>13} {'peak RSS MiB':>13}")
    verdict = True
    for name, (stock, parxz, _, goal) in pairs.items():
        medians = {}
        for kind in (stock, parxz):
            times = [r["s"] for r in results[(name, kind)]]
            medians[kind] = statistics.median(times)
            rss = max(r["rss"] for r in results[(name, kind)]) / 1024
            print(f"{name + ' ' + kind.split('_')[1]:38} {medians[kind]:9.2f} "
                  f"{min(times):6.2f}-{max(times):<6.2f} {rss:13.1f}")
        # The verdict is the median of the paired ratios (run i's stock over
        # run i's parxz, taken back to back): a slow spell of the machine
        # then slows both sides of a pair, where the ratio of two columns'
        # medians can pair a fast stock run with a slow parxz one.
        paired = [s["s"] / p["s"] for s, p in zip(results[(name, stock)],
                                                  results[(name, parxz)])]
        ratio = statistics.median(paired)
        print(f"{name}: parxz {ratio:.2f}x stock, median of paired ratios "
              f"{min(paired):.2f}-{max(paired):.2f} (ratio of medians "
              f"{medians[stock] / medians[parxz]:.2f}x; goal >= {goal}x)")
        verdict = verdict and ratio >= goal
    print(f"load average {os.getloadavg()[0]:.2f} at end")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
