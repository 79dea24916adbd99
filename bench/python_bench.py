#!/usr/bin/python3
"""Side by side: stock lzma vs parxz.lzma with threads, in one run.

    bench/python_bench.py [--file PATH] [--runs 3] [--threads 2]
                          [--block-size 4194304] [--preset 6] [--limit BYTES]

Measures, interleaved run by run so that machine noise hits both alike:
  compress    lzma.compress(data, preset)  vs  parxz.lzma.compress(data,
              preset, threads, block_size)
  LZMAFile    writing the data in 1 MiB pieces to a file, stock vs parxz
  decompress  lzma.decompress vs parxz.lzma.decompress(threads=...) of
              parxz's multi-Block output
and prints medians, min-max spread and the speedups. Default file: the path
bench/corpus.sh prints (sil7.tar). parxz comes from PYTHONPATH, else is
installed into a temporary prefix with python/install_python.sh. Not part
of tools/test.sh (minutes of CPU).
"""
import argparse
import importlib
import lzma
import os
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def import_parxz():
    try:
        return importlib.import_module("parxz.lzma")
    except ImportError:
        prefix = tempfile.mkdtemp(prefix="parxz-py-")
        subprocess.run([os.path.join(TOP, "python", "install_python.sh"), prefix],
                       check=True)
        sys.path.insert(0, os.path.join(prefix, "lib", "python3.11", "site-packages"))
        return importlib.import_module("parxz.lzma")


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def write_file(module, path, data, **kwargs):
    with module.LZMAFile(path, "wb", **kwargs) as f:
        for i in range(0, len(data), 1 << 20):
            f.write(data[i:i + (1 << 20)])
    return os.path.getsize(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--block-size", type=int, default=4 << 20)
    parser.add_argument("--preset", type=int, default=6)
    parser.add_argument("--limit", type=int, default=0,
                        help="use only the first LIMIT bytes")
    args = parser.parse_args()
    path = args.file or subprocess.run(
        [os.path.join(TOP, "bench", "corpus.sh")], check=True,
        stdout=subprocess.PIPE, text=True).stdout.strip()
    with open(path, "rb") as f:
        data = f.read(args.limit or -1)
    plzma = import_parxz()
    mb = len(data) / 1e6
    par = dict(preset=args.preset, threads=args.threads, block_size=args.block_size)
    print(f"{path}: {mb:.1f} MB, preset {args.preset}, threads {args.threads}, "
          f"block_size {args.block_size}, {args.runs} runs, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")

    times = {k: [] for k in ("compress stock", "compress parxz", "LZMAFile stock",
                             "LZMAFile parxz", "decompress stock",
                             "decompress parxz")}
    sizes = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.xz")
        for run in range(args.runs):
            t, stock_out = timed(lambda: lzma.compress(data, preset=args.preset))
            times["compress stock"].append(t)
            t, par_out = timed(lambda: plzma.compress(data, **par))
            times["compress parxz"].append(t)
            sizes["stock"], sizes["parxz"] = len(stock_out), len(par_out)
            t, _ = timed(lambda: write_file(lzma, out, data, preset=args.preset))
            times["LZMAFile stock"].append(t)
            t, _ = timed(lambda: write_file(plzma, out, data, **par))
            times["LZMAFile parxz"].append(t)
            with open(out, "rb") as f:
                assert f.read() == par_out, "LZMAFile output != compress() output"
            t, plain = timed(lambda: lzma.decompress(par_out))
            times["decompress stock"].append(t)
            assert plain == data, "stock lzma cannot read parxz's output"
            t, plain = timed(lambda: plzma.decompress(par_out, threads=args.threads))
            times["decompress parxz"].append(t)
            assert plain == data
            print(f"run {run + 1}: " + ", ".join(
                f"{k} {v[-1]:.2f}s" for k, v in times.items()), flush=True)

    print(f"\nsizes: stock {sizes['stock']} bytes, parxz {sizes['parxz']} bytes "
          f"({100 * (sizes['parxz'] / sizes['stock'] - 1):+.2f}%)")
    print(f"{'':18} {'median s':>9} {'MB/s':>7} {'min-max s':>13} {'spread':>7}")
    for name, values in times.items():
        median = statistics.median(values)
        spread = (max(values) - min(values)) / median
        print(f"{name:18} {median:9.2f} {mb / median:7.1f} "
              f"{min(values):6.2f}-{max(values):<6.2f} {100 * spread:6.1f}%")
    verdict = True
    for what in ("compress", "LZMAFile", "decompress"):
        speedup = (statistics.median(times[f"{what} stock"])
                   / statistics.median(times[f"{what} parxz"]))
        goal = " (goal >= 1.8x)" if what != "decompress" else ""
        print(f"speedup {what}: {speedup:.2f}x{goal}")
        if what != "decompress" and speedup < 1.8:
            verdict = False
    print(f"load average {os.getloadavg()[0]:.2f} at end")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
