#!/usr/bin/env python3
"""Tables and gnuplot scripts from bench/plots.sh's CSVs. Standard library
only; bench/plots.sh runs it and then gnuplot.

  plots_report.py RESULTS_DIR WORK_DIR

Reads RESULTS_DIR/pareto.csv, decode.csv and plots_meta.md; writes
RESULTS_DIR/plots.md (markdown tables for bench/RESULTS.md to quote) and
WORK_DIR/pareto.gp, decode.gp (+ their .dat), which draw
RESULTS_DIR/pareto.png and decode.png. Every figure is the median of its
runs.
"""
import csv
import os
import statistics
import sys
from collections import defaultdict

TOOLS = ["parxz", "xz", "pixz", "7zz"]
COLORS = {"parxz": "#d62728", "xz": "#1f77b4", "pixz": "#2ca02c",
          "7zz": "#ff7f0e"}
POINT = {"parxz": 6, "xz": 7, "pixz": 5, "7zz": 9}  # circle, dot, square, triangle
LABEL_OFFSET = {"parxz": "0,1", "xz": "0,-1", "pixz": "1.2,0", "7zz": "-1.2,0"}


def compress_name(tool, threads):
    return {"parxz": f"parxz -T{threads}", "xz": f"xz -T{threads}",
            "pixz": f"pixz -p {threads}",
            "7zz": f"7zz -txz -mmt={threads}"}[tool]


def decode_name(tool, threads):
    return {"parxz": f"parxz -dc -T{threads}", "xz": f"xz -dc -T{threads}",
            "pixz": f"pixz -d -p {threads}",
            "7zz": f"7zz e -txz -mmt={threads}"}[tool]


def ordered(tools):
    return [t for t in TOOLS if t in tools] + sorted(set(tools) - set(TOOLS))


def read_pareto(path):
    runs = defaultdict(list)
    with open(path) as f:
        for row in csv.DictReader(f):
            runs[(row["tool"], int(row["preset"]))].append(row)
    cells = {}
    for key, rows in runs.items():
        sec = statistics.median(float(r["seconds"]) for r in rows)
        in_bytes = int(rows[0]["in_bytes"])
        cells[key] = {
            "sec": sec, "mbps": in_bytes / 1e6 / sec,
            "ratio": in_bytes / int(rows[0]["out_bytes"]),
            "rss_mib": statistics.median(int(r["rss_kb"]) for r in rows) / 1024,
            "runs": len(rows), "threads": int(rows[0]["threads"]),
            "in_bytes": in_bytes,
        }
    return cells


def read_decode(path):
    runs = defaultdict(list)
    shapes = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            shapes.setdefault(row["shape"], row["label"])
            runs[(row["shape"], row["tool"], int(row["threads"]))].append(row)
    cells = {}
    for key, rows in runs.items():
        sec = statistics.median(float(r["seconds"]) for r in rows)
        cells[key] = {
            "sec": sec, "mbps": int(rows[0]["out_bytes"]) / 1e6 / sec,
            "rss_mib": statistics.median(int(r["rss_kb"]) for r in rows) / 1024,
            "runs": len(rows),
        }
    return shapes, cells


def pareto_table(cells):
    tools = ordered({t for t, _ in cells})
    threads = next(iter(cells.values()))["threads"]
    lines = [
        "| preset | " + " | ".join(compress_name(t, threads) for t in tools) +
        " | runs |",
        "|---:|" + "---:|" * len(tools) + "---:|",
    ]
    for p in sorted({p for _, p in cells}):
        row = [f"-{p}"]
        for t in tools:
            c = cells.get((t, p))
            row.append(f"{c['mbps']:.2f} MB/s, {c['ratio']:.3f}" if c else "")
        row.append(str(max(cells[(t, p)]["runs"] for t in tools
                           if (t, p) in cells)))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def decode_tables(shapes, cells):
    tools = ordered({t for _, t, _ in cells})
    threads = sorted({n for _, _, n in cells})
    head = "| file shape (-6) | threads | " + " | ".join(tools) + " |"
    rule = "|---|---:|" + "---:|" * len(tools)
    speed, rss = [head, rule], [head, rule]
    for s, label in shapes.items():
        for n in threads:
            sp, rs = [label, str(n)], [label, str(n)]
            for t in tools:
                c = cells.get((s, t, n))
                sp.append(f"{c['sec']:.3f} s ({c['mbps']:.0f} MB/s)" if c else "")
                rs.append(f"{c['rss_mib']:.0f}" if c else "")
            speed.append("| " + " | ".join(sp) + " |")
            rss.append("| " + " | ".join(rs) + " |")
    runs = max(c["runs"] for c in cells.values())
    return speed, rss, runs


def pareto_gp(cells, results, work):
    tools = ordered({t for t, _ in cells})
    dat = os.path.join(work, "pareto.dat")
    with open(dat, "w") as f:
        for t in tools:
            f.write(f"# {t}: MB/s ratio preset\n")
            for p in sorted(p for u, p in cells if u == t):
                c = cells[(t, p)]
                f.write(f"{c['mbps']:.4f} {c['ratio']:.4f} {p}\n")
            f.write("\n\n")
    any_cell = next(iter(cells.values()))
    threads = any_cell["threads"]
    mb = any_cell["in_bytes"] / 1e6
    parts = []
    for i, t in enumerate(tools):
        color = COLORS.get(t, "#000000")
        parts.append(
            f"'{dat}' index {i} using 1:2 with linespoints lw 2 "
            f"pt {POINT.get(t, 7)} ps 1.6 lc rgb '{color}' "
            f"title '{compress_name(t, threads)}'")
        parts.append(
            f"'{dat}' index {i} using 1:2:(sprintf('%d', $3)) with labels "
            f"offset {LABEL_OFFSET.get(t, '0,1')} font ',9' tc rgb '{color}' "
            "notitle")
    gp = [
        "set terminal pngcairo size 1100,720 font 'sans,11'",
        f"set output '{os.path.join(results, 'pareto.png')}'",
        f"set title 'Compression ratio against speed, presets 0-9, {threads}"
        f" threads, {mb:.1f} MB sample (numbers: presets; up and right is"
        " better)'",
        "set logscale x",
        "set grid xtics mxtics ytics",
        "set xlabel 'compression speed, MB of input per second (log scale)'",
        "set ylabel 'ratio: input size / output size'",
        "set key bottom left box opaque",
        "plot " + ", \\\n  ".join(parts),
    ]
    with open(os.path.join(work, "pareto.gp"), "w") as f:
        f.write("\n".join(gp) + "\n")


def decode_gp(shapes, cells, results, work):
    tools = ordered({t for _, t, _ in cells})
    threads = sorted({n for _, _, n in cells})
    dat = os.path.join(work, "decode.dat")
    with open(dat, "w") as f:
        for n in threads:
            f.write(f"# {n} threads: shape, then MB/s of " +
                    " ".join(tools) + "\n")
            for s in shapes:
                vals = [cells.get((s, t, n), {}).get("mbps", 0) for t in tools]
                f.write(s + "\t" + "\t".join(f"{v:.3f}" for v in vals) + "\n")
            f.write("\n\n")
    ymax = max(c["mbps"] for c in cells.values()) * 1.15
    xtics = ", ".join(
        '"%s" %d' % (label.replace(", ", "\\n").replace(" = ", "\\n= ")
                     .replace('"', "'"), i)
        for i, label in enumerate(shapes.values()))
    width = 1 / (len(tools) + 1)  # clustered, gap 1
    gp = [
        f"set terminal pngcairo size {560 * len(threads) + 200},680"
        " font 'sans,10'",
        f"set output '{os.path.join(results, 'decode.png')}'",
        f"set multiplot layout 1,{len(threads)} title 'Decompression speed by"
        " file shape (the whole corpus at -6, output to /dev/null; higher is"
        " better)'",
        "set datafile separator '\\t'",
        "set style data histograms",
        "set style histogram clustered gap 1",
        "set style fill solid 0.85 border -1",
        "set boxwidth 1",
        f"set yrange [0:{ymax:.1f}]",
        f"set xrange [-0.6:{len(shapes) - 0.4}]",
        "set ylabel 'MB of output per second'",
        "set grid ytics",
        f"set xtics ({xtics}) font ',9'",
        "set bmargin 7",
        "set key at screen 0.5, screen 0.03 center bottom horizontal",
    ]
    for i, n in enumerate(threads):
        parts = []
        for j, t in enumerate(tools):
            parts.append(
                f"'{dat}' index {i} using {j + 2} lc rgb"
                f" '{COLORS.get(t, '#000000')}' title '{t}'")
        for j, t in enumerate(tools):
            off = (j - (len(tools) - 1) / 2) * width
            parts.append(
                f"'{dat}' index {i} using ($0 + {off:.4f}):{j + 2}:"
                f"(sprintf('%.0f', ${j + 2})) with labels offset 0,0.6"
                " font ',7' notitle")
        if i:
            gp.append("unset key")  # one legend, below both panels
        gp.append(f"set title '{n} thread{'s' if n != 1 else ''}"
                  " (-T / -p / -mmt)'")
        gp.append("plot " + ", \\\n  ".join(parts))
    gp.append("unset multiplot")
    with open(os.path.join(work, "decode.gp"), "w") as f:
        f.write("\n".join(gp) + "\n")


def main():
    results, work = sys.argv[1:3]
    os.makedirs(work, exist_ok=True)
    pareto = read_pareto(os.path.join(results, "pareto.csv"))
    shapes, decode = read_decode(os.path.join(results, "decode.csv"))
    if not pareto or not decode:
        sys.exit("plots_report.py: pareto.csv or decode.csv has no runs")
    meta_path = os.path.join(results, "plots_meta.md")
    meta = open(meta_path).read().rstrip("\n") if os.path.exists(
        meta_path) else "- (no plots_meta.md: run bench/plots.sh)"
    speed, rss, runs = decode_tables(shapes, decode)
    threads = next(iter(pareto.values()))["threads"]
    md = [
        "## Pictures (bench/plots.sh)", "", meta, "",
        f"### Compression: ratio against speed, {threads} threads", "",
        "![ratio against compression speed](pareto.png)", "",
        *pareto_table(pareto), "",
        "MB/s: 10^6 bytes of input per second of wall time (median of the"
        " runs); then the ratio, input size / output size. Every output"
        " passed `xz -t` and `xz -dc | cmp`.", "",
        "### Decompression by file shape", "",
        "![decompression speed by file shape](decode.png)", "",
        f"Wall time, median of {runs} interleaved rounds (MB/s of output):",
        "", *speed, "",
        "Peak RSS, MiB (`/usr/bin/time` %M, median):", "", *rss, "",
        "Tools: " + ", ".join(
            f"`{decode_name(t, 'N')}`" for t in
            ordered({t for _, t, _ in decode})) +
        "; every (shape, tool, threads) was checked once against the corpus"
        " (cmp) before the timed rounds.",
    ]
    with open(os.path.join(results, "plots.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    pareto_gp(pareto, results, work)
    decode_gp(shapes, decode, results, work)


if __name__ == "__main__":
    main()
