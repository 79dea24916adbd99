#!/usr/bin/env python3
"""Turns bench/compare.sh's raw.tsv into the markdown table. Standard
library only. (The plots come from bench/plots.sh.)

  compare_report.py RAW.tsv META.md OUT.md
"""
import csv
import statistics
import sys
from collections import defaultdict

TOOLS = ["parxz", "xz", "pixz", "7zz", "plzip", "zstd"]


def main():
    raw, meta, out_md = sys.argv[1:4]
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
    unknown = {k[1] for k in cells} - set(TOOLS)
    if unknown:
        sys.exit(f"compare_report.py: unknown tools {sorted(unknown)}")

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
        " 7zz: 7-Zip's `7zz a -txz -mx=N -mmt=T` and `7zz e -txz -mmt=T`."
        " Decompression rows read each tool's own output made with all"
        " threads. Every output was decompressed and compared with the"
        " input (cmp), and every .xz passed `xz -t`.",
    ]
    with open(out_md, "w") as f:
        f.write(meta_text + "\n\n" + "\n".join(lines) + "\n" +
                "\n".join(notes) + "\n")


if __name__ == "__main__":
    main()
