#!/usr/bin/env python3
"""Turns bench/compare.sh's raw.tsv into the markdown table and a gnuplot
script for the scaling plot. Standard library only.

  compare_report.py RAW.tsv META.md OUT.md OUT.gp OUT.png
"""
import csv
import statistics
import sys
from collections import defaultdict

TOOLS = ["parxz", "xz", "pixz", "plzip", "zstd"]
COLORS = {"parxz": "#d62728", "xz": "#1f77b4", "pixz": "#2ca02c",
          "plzip": "#9467bd", "zstd": "#ff7f0e"}
POINTS = {"0": 5, "3": 5, "6": 7, "9": 9, "19": 9}


def main():
    raw, meta, out_md, out_gp, out_png = sys.argv[1:6]
    runs = defaultdict(list)
    with open(raw) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            key = (row["op"], row["tool"], row["level"], int(row["threads"]))
            runs[key].append(row)

    cells = {}
    for key, rows in runs.items():
        usec = statistics.median(int(r["usec"]) for r in rows)
        rss = statistics.median(int(r["rss_kb"]) for r in rows)
        in_bytes = int(rows[-1]["in_bytes"])
        cells[key] = {
            "mbps": in_bytes / usec,  # 10^6 bytes per second
            "rss_mib": rss / 1024,
            "out_bytes": int(rows[-1]["out_bytes"]),
            "in_bytes": in_bytes,
            "runs": len(rows),
            "sec": usec / 1e6,
        }
    max_threads = max(k[3] for k in cells)

    def ratio(op, tool, level, threads):
        c = cells.get(("compress", tool, level, threads)) or cells.get(
            ("compress", tool, level, max_threads))
        return c["in_bytes"] / c["out_bytes"] if c else None

    def reference(op, tool, level, threads):
        ref_level = "6" if tool == "zstd" else level
        return cells.get((op, "xz", ref_level, threads))

    def order(key):
        op, tool, level, threads = key
        return (op != "compress", int(level) if tool != "zstd" else 100 +
                int(level), threads, TOOLS.index(tool))

    lines = [
        "| tool | operation | level | threads | MB/s | ratio | peak RSS MiB"
        " | vs `xz` | runs |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key in sorted(cells, key=order):
        op, tool, level, threads = key
        c = cells[key]
        ref = reference(op, tool, level, threads)
        rel = f"{c['mbps'] / ref['mbps']:.2f}x" if ref else "n/a"
        r = ratio(op, tool, level, threads)
        name = f"**{tool}**" if tool == "parxz" else tool
        op_name = "compress" if op == "compress" else "decompress"
        lines.append(
            f"| {name} | {op_name} | -{level} | {threads} | {c['mbps']:.2f} |"
            f" {r:.3f} | {c['rss_mib']:.0f} | {rel} | {c['runs']} |")

    with open(meta) as f:
        meta_text = f.read().rstrip("\n")
    notes = [
        "",
        "MB/s: 10^6 bytes of uncompressed data per second of wall time"
        " (median of the runs). ratio: uncompressed / compressed size."
        " peak RSS: `/usr/bin/time` %M (median). vs `xz`: MB/s divided by"
        " `xz -T N`'s at the same level and thread count (zstd: against"
        " `xz -6`; decompression: against `xz -d -T N` of xz's -6 output)."
        " Decompression rows read each tool's own output made with all"
        " threads. Every output was decompressed and compared with the"
        " input (cmp).",
    ]
    with open(out_md, "w") as f:
        f.write(meta_text + "\n\n" + "\n".join(lines) + "\n" +
                "\n".join(notes) + "\n")

    # The plot: MB/s against threads, compression left, decompression right.
    dat = out_gp[:-3] + ".dat"
    series = defaultdict(list)
    for (op, tool, level, threads), c in cells.items():
        series[(op, tool, level)].append((threads, c["mbps"]))
    keys = sorted(series, key=lambda k: order((k[0], k[1], k[2], 0)))
    with open(dat, "w") as f:
        for k in keys:
            f.write(f"# {k}\n")
            for t, v in sorted(series[k]):
                f.write(f"{t} {v:.4f}\n")
            f.write("\n\n")
    thread_ticks = sorted({k[3] for k in cells})
    gp = [
        f"set terminal pngcairo size 1200,560 font 'sans,10'",
        f"set output '{out_png}'",
        "set multiplot layout 1,2",
        "set logscale y",
        "set grid",
        "set xlabel 'threads'",
        "set ylabel 'MB/s (uncompressed)'",
        f"set xrange [{thread_ticks[0] - 0.3}:{thread_ticks[-1] + 0.3}]",
        "set xtics (" + ", ".join(f"'{t}' {t}" for t in thread_ticks) + ")",
        "set key outside right top",
    ]
    for op in ["compress", "decompress"]:
        gp.append(f"set title '{op}ion, {cells_size(cells)}'")
        parts = []
        for i, k in enumerate(keys):
            if k[0] != op:
                continue
            style = "linespoints" if len(series[k]) > 1 else "points"
            parts.append(
                f"'{dat}' index {i} with {style} lw 2 pt {POINTS.get(k[2], 7)}"
                f" ps 1.3 lc rgb '{COLORS[k[1]]}' title '{k[1]} -{k[2]}'")
        gp.append("plot " + ", \\\n  ".join(parts))
    gp.append("unset multiplot")
    with open(out_gp, "w") as f:
        f.write("\n".join(gp) + "\n")


def cells_size(cells):
    in_bytes = next(iter(cells.values()))["in_bytes"]
    return f"{in_bytes / 1e6:.1f} MB"


if __name__ == "__main__":
    main()
