#!/usr/bin/python3
"""Side by side (issue 22 item 4, Python): the standard tarfile extracting
the last member of a .tar.xz, on lzma.open(path) vs on
parxz.lzma.open(path) (seeking by the Index: member data is skipped without
decoding it; one Block per member header is the floor).

    bench/python_tar_member.py [--runs 5] [--threads N] [--archive A.tar.xz]

The archive is bench/tar_corpus.sh's (64 x 16 MiB members, xz -T2
--block-size=1MiB: 1 GiB) unless --archive is given; MEMBERS=4 MEMBER_MIB=2
in the environment make the small one for a smoke run. --threads N also
runs parxz.lzma.open(path, threads=N). Each measurement runs in a fresh
interpreter, stock and parxz interleaved run by run (paired); prints the
medians, min-max, each run's ratio and the ratio of medians (goal >= 10x).
The extracted bytes are checked against the uncompressed tar beside the
archive. Not part of any test run.

Smoke run:
    MEMBERS=4 MEMBER_MIB=2 bench/python_tar_member.py --runs 1
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# One extraction: prints {"s": seconds, "sha": digest, "name": member}.
CHILD = r"""
import hashlib, json, sys, tarfile, time
kind, path, threads = sys.argv[1], sys.argv[2], sys.argv[3]
if kind == "stock":
    import lzma
    opener = lambda: lzma.open(path)
else:
    import parxz.lzma
    t = None if threads == "none" else int(threads)
    opener = lambda: parxz.lzma.open(path, threads=t)
start = time.perf_counter()
with opener() as xzf, tarfile.open(fileobj=xzf) as tar:
    last = tar.getmembers()[-1]
    data = tar.extractfile(last).read()
seconds = time.perf_counter() - start
print(json.dumps({"s": seconds, "sha": hashlib.sha256(data).hexdigest(),
                  "name": last.name}))
"""


def python_env():
    """PYTHONPATH with parxz: the caller's, else a fresh install."""
    env = dict(os.environ)
    probe = subprocess.run([sys.executable, "-c", "import parxz._seek"],
                           env=env, capture_output=True)
    if probe.returncode != 0:
        prefix = os.path.join(env.get("TMPDIR", "/tmp"), "parxz-py-tar")
        subprocess.run([os.path.join(TOP, "python", "install_python.sh"),
                        prefix], check=True)
        site = os.path.join(prefix, "lib", "python3.11", "site-packages")
        env["PYTHONPATH"] = site + os.pathsep + env.get("PYTHONPATH", "")
    return env


def reference(archive):
    """sha256 of the last member, from the uncompressed tar beside it (or
    from xz -dc), read by tarfile without compression."""
    import hashlib
    import tarfile
    plain = archive[:-3] if archive.endswith(".xz") else None
    if plain and os.path.exists(plain):
        with tarfile.open(plain) as tar:
            last = tar.getmembers()[-1]
            return hashlib.sha256(tar.extractfile(last).read()).hexdigest()
    data = subprocess.run(["xz", "-dc", archive], stdout=subprocess.PIPE,
                          check=True).stdout
    import io
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        last = tar.getmembers()[-1]
        return hashlib.sha256(tar.extractfile(last).read()).hexdigest()


def measure(kind, archive, threads, env):
    out = subprocess.run([sys.executable, "-c", CHILD, kind, archive, threads],
                         env=env, stdout=subprocess.PIPE, check=True,
                         text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--archive")
    args = parser.parse_args()
    archive = args.archive or subprocess.run(
        [os.path.join(TOP, "bench", "tar_corpus.sh")], check=True,
        stdout=subprocess.PIPE, text=True).stdout.strip()
    env = python_env()
    expected = reference(archive)
    kinds = [("stock", "none"), ("parxz", "none")]
    if args.threads is not None:
        kinds.append(("parxz", str(args.threads)))
    times = {k: [] for k in kinds}
    for run in range(args.runs):
        for kind in kinds:
            result = measure(kind[0], archive, kind[1], env)
            if result["sha"] != expected:
                sys.exit(f"{kind}: wrong bytes for {result['name']}")
            times[kind].append(result["s"])
        print(f"run {run + 1}: " + "  ".join(
            f"{k[0]}(threads={k[1]}) {times[k][-1]:.3f}s" for k in kinds),
            flush=True)
    base = statistics.median(times[kinds[0]])
    print(f"archive: {archive} ({os.path.getsize(archive)} bytes)")
    for kind in kinds:
        t = times[kind]
        paired = [s / p for s, p in zip(times[kinds[0]], t)]
        print(f"{kind[0]:5} threads={kind[1]:4}: median {statistics.median(t):.3f}s"
              f" (min {min(t):.3f}, max {max(t):.3f}); stock/this median"
              f" {base / statistics.median(t):.2f}x, paired"
              f" {statistics.median(paired):.2f}x")


if __name__ == "__main__":
    main()
