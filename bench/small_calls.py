#!/usr/bin/python3
"""Small calls (issue 23 item 2): what one call costs with threads.

    bench/small_calls.py [--file PATH] [--rounds 7] [--seconds 0.3]
                         [--total BYTES] [--part calls|numcodecs|all]

calls      per-call time of parxz.lzma.decompress() and compress() on the
           first 4 KiB, 64 KiB and 1 MiB of the file, threads=None against
           threads=2, beside the standard lzma module; decompress() input
           is what the standard module writes and what compress(threads=2)
           writes (one Block each), and LZMADecompressor(threads=2) takes
           the latter whole. The bar: threads=2 within 1.10x of None.
numcodecs  numcodecs' LZMA codec encoding then decoding every chunk of
           --total bytes of the file, cut into 4 KiB, 64 KiB, 1 MiB and
           4 MiB chunks, with the standard lzma module and under
           parxz.lzma.install(threads=2) (each run in a fresh interpreter,
           so that neither sees the other's allocator state). The bar:
           never slower than the standard module.

Rounds are interleaved (every variant once per round) and medians printed
with their ratios. Default file: the one bench/corpus.sh prints (sil7.tar).
parxz comes from PYTHONPATH, else is built and staged from this checkout
(bazel build //python:parxz). Load average is printed at the start: figures
from a loaded machine do not count.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = (4 << 10, 64 << 10, 1 << 20)
CHUNKS = (4 << 10, 64 << 10, 1 << 20, 4 << 20)


def stage_parxz():
    """A directory holding the parxz package built from this checkout."""
    try:
        import parxz.lzma  # noqa: F401
        return None
    except ImportError:
        pass
    subprocess.run(["bazel", "build", "-c", "opt", "//python:parxz"], cwd=TOP,
                   check=True, stdout=subprocess.DEVNULL)
    bin_dir = subprocess.run(["bazel", "info", "-c", "opt", "bazel-bin"],
                             cwd=TOP, check=True, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True).stdout.strip()
    stage = tempfile.mkdtemp(prefix="parxz-small-")
    pkg = os.path.join(stage, "parxz")
    os.mkdir(pkg)
    src = os.path.join(TOP, "python", "parxz")
    for name in os.listdir(src):
        if name.endswith(".py"):
            os.symlink(os.path.join(src, name), os.path.join(pkg, name))
    os.symlink(os.path.join(bin_dir, "python", "parxz", "_parxz.so"),
               os.path.join(pkg, "_parxz.so"))
    sys.path.insert(0, stage)
    return stage


def per_call(function, seconds):
    """Seconds per call, calling for about `seconds`."""
    function()  # warm
    calls = 0
    start = time.perf_counter()
    while True:
        function()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return elapsed / calls


def run_rounds(variants, rounds, seconds):
    times = {name: [] for name in variants}
    for _ in range(rounds):
        for name, function in variants.items():
            times[name].append(per_call(function, seconds))
    return {name: statistics.median(t) for name, t in times.items()}


def part_calls(data, rounds, seconds):
    import lzma
    import parxz.lzma as plzma
    print("per call, median of %d rounds (us)" % rounds)
    for size in SIZES:
        raw = data[:size]
        stock_xz = lzma.compress(raw)
        parxz_xz = plzma.compress(raw, threads=2)
        assert plzma.decompress(parxz_xz, threads=2) == raw
        assert plzma.decompress(stock_xz, threads=2) == raw

        def stream(blob, threads):
            d = plzma.LZMADecompressor(threads=threads)
            return d.decompress(blob)

        # Compression takes ~0.1-1 s per MiB: fewer, longer calls.
        t = seconds * (1 if size < (1 << 20) else 4)
        m = run_rounds({
            "decompress stock": lambda: lzma.decompress(stock_xz),
            "decompress(lzma's) None": lambda: plzma.decompress(stock_xz),
            "decompress(lzma's) 2": lambda: plzma.decompress(stock_xz, threads=2),
            "decompress(parxz's) None": lambda: plzma.decompress(parxz_xz),
            "decompress(parxz's) 2": lambda: plzma.decompress(parxz_xz, threads=2),
            "LZMADecompressor None": lambda: stream(parxz_xz, None),
            "LZMADecompressor 2": lambda: stream(parxz_xz, 2),
            "compress stock": lambda: lzma.compress(raw),
            "compress None": lambda: plzma.compress(raw),
            "compress 2": lambda: plzma.compress(raw, threads=2),
        }, rounds, t)
        print("\n%d bytes:" % size)
        for name, value in m.items():
            print("  %-26s %12.1f" % (name, value * 1e6))
        for what in ("decompress(lzma's)", "decompress(parxz's)",
                     "LZMADecompressor", "compress"):
            ratio = m[what + " 2"] / m[what + " None"]
            print("  %-26s %12.3f  threads=2 / None%s" % (
                what, ratio, "" if ratio <= 1.10 else "  ABOVE 1.10"))


CHILD = r"""
import sys, time
sys.path[:0] = %(path)r
data = open(%(file)r, "rb").read(%(total)d)
if %(install)r:
    import parxz.lzma
    parxz.lzma.install(threads=2)
import numcodecs
codec = numcodecs.LZMA()
chunk = %(chunk)d
pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)]
codec.decode(codec.encode(pieces[0]))  # warm
start = time.perf_counter()
encoded = [codec.encode(p) for p in pieces]
middle = time.perf_counter()
# Decoding is ~20x faster than encoding: five passes, their median.
passes = []
for _ in range(5):
    t0 = time.perf_counter()
    decoded = [bytes(codec.decode(e)) for e in encoded]
    passes.append(time.perf_counter() - t0)
    assert decoded == pieces
print(middle - start, sorted(passes)[2])
"""


def part_numcodecs(path, total, rounds):
    import parxz
    root = os.path.dirname(os.path.dirname(os.path.abspath(parxz.__file__)))
    print("numcodecs LZMA chunk loop over %d bytes, median of %d rounds "
          "(seconds: encode; decode, each the median of 5 passes in its "
          "process; ratios: medians of the rounds' paired ratios, the two "
          "processes of a round back to back, their order alternating)"
          % (total, rounds))
    for chunk in CHUNKS:
        runs = {"stock": [], "install(threads=2)": []}
        for r in range(rounds):
            for name in (list(runs) if r % 2 == 0 else list(runs)[::-1]):
                code = CHILD % {"path": [root], "file": path,
                                "total": total, "install": name != "stock",
                                "chunk": chunk}
                out = subprocess.run(["/usr/bin/python3", "-c", code],
                                     check=True, stdout=subprocess.PIPE,
                                     text=True).stdout.split()
                runs[name].append((float(out[0]), float(out[1])))
        enc = {n: statistics.median(r[0] for r in v) for n, v in runs.items()}
        dec = {n: statistics.median(r[1] for r in v) for n, v in runs.items()}
        pairs = list(zip(runs["install(threads=2)"], runs["stock"]))
        re = statistics.median(p[0] / s[0] for p, s in pairs)
        rd = statistics.median(p[1] / s[1] for p, s in pairs)
        print("  chunk %8d: encode stock %.4f parxz %.4f (%.3f)   "
              "decode stock %.4f parxz %.4f (%.3f)%s" % (
                  chunk, enc["stock"], enc["install(threads=2)"], re,
                  dec["stock"], dec["install(threads=2)"], rd,
                  "" if max(re, rd) <= 1.0 else "  SLOWER"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.3,
                        help="time per variant per round")
    parser.add_argument("--total", type=int, default=8 << 20,
                        help="bytes of the file the numcodecs loop codes")
    parser.add_argument("--part", choices=("calls", "numcodecs", "all"),
                        default="all")
    args = parser.parse_args()
    path = args.file or subprocess.run(
        [os.path.join(TOP, "bench", "corpus.sh")], check=True,
        stdout=subprocess.PIPE, text=True).stdout.strip()
    stage_parxz()
    with open(path, "rb") as f:
        data = f.read(max(SIZES))
    print("%s, %d CPUs, load average %.2f at start" % (
        path, os.cpu_count(), os.getloadavg()[0]))
    if args.part in ("calls", "all"):
        part_calls(data, args.rounds, args.seconds)
    if args.part in ("numcodecs", "all"):
        part_numcodecs(path, args.total, args.rounds)


if __name__ == "__main__":
    main()
