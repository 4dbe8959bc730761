#!/usr/bin/env python3
"""Draws one benchmark run (summary.json from `bench/report.py report`) as an SVG chart.

  chart.py SUMMARY_JSON SVG

Left: each scenario's peak beside its ceilings (D, pgbench on the same statements; C,
the composite of D and the /healthz peak), on a logarithmic scale. Right: p50 and p99 at
half the peak, with the 10 ms target. Runs with the matplotlib that bench/run.sh
installs into bench/.venv (pinned in bench/requirements.txt).
"""
import json
import sys

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

TARGET_P99_MS = 10.0


def main():
    summary_path, svg_path = sys.argv[1], sys.argv[2]
    with open(summary_path) as f:
        summary = json.load(f)
    rows = list(summary["scenarios"])
    flood = summary.get("flood") or {}
    def label(r):
        return f"{r['name'].removesuffix('-1m')} ({r['size']} sessions)"

    labels = [label(r) for r in rows]

    # Reproducible output: no date in the metadata, fixed ids.
    plt.rcParams["svg.hashsalt"] = "lyceum-bench"
    plt.rcParams["font.size"] = 9
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 6), constrained_layout=True)

    y = list(range(len(rows)))
    h = 0.26
    series = [
        ("API peak (wrk)", [r["peak"] for r in rows], "#1f77b4", -h),
        ("C = 1 / (1/H + 1/D)", [r["c"] for r in rows], "#ff7f0e", 0),
        ("D: pgbench, same statements", [r["d"] for r in rows], "#2ca02c", h),
    ]
    for name, values, colour, offset in series:
        ys = [i + offset for i, v in enumerate(values) if v]
        vs = [v for v in values if v]
        bars = left.barh(ys, vs, height=h, color=colour, label=name)
        left.bar_label(bars, labels=[f"{v:,.0f}" for v in vs], padding=2, fontsize=7)
    goals = [(i, r["goal"]) for i, r in enumerate(rows) if r.get("goal")]
    if goals:
        left.vlines([g for _, g in goals], [i - 1.6 * h for i, _ in goals],
                    [i + 1.6 * h for i, _ in goals], colors="black", linestyles=":",
                    linewidths=1.5, zorder=3, label="target for the peak (0.5 C; booking 0.6 D)")
    healthz = (summary.get("healthz") or {}).get("peak")
    if healthz:
        left.axvline(healthz, color="#7f7f7f", linestyle="--", linewidth=1,
                     label=f"H: /healthz peak ({healthz:,.0f})")
    left.set_xscale("log")
    left.set_yticks(y, labels)
    left.invert_yaxis()
    left.set_xlabel("requests or transactions per second (log scale)")
    left.set_title("Peak beside its ceilings")
    left.set_xlim(right=max([healthz or 0] + [v for _, vs, _, _ in series for v in vs if v]) * 4)
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=2, fontsize=7)
    left.grid(axis="x", which="both", alpha=0.2)

    small = (summary.get("sizes") or {}).get("small", "")
    lat_rows = rows + ([{"name": "discovery during login flood", "size": small,
                         "p50_ms": flood.get("p50_ms"), "p99_ms": flood.get("p99_ms")}]
                       if flood.get("p99_ms") else [])
    lat_labels = [label(r) for r in lat_rows]
    ly = list(range(len(lat_rows)))
    for name, key, colour, offset in (("p50", "p50_ms", "#9467bd", -0.2),
                                      ("p99", "p99_ms", "#d62728", 0.2)):
        ys = [i + offset for i, r in enumerate(lat_rows) if r.get(key)]
        vs = [r[key] for r in lat_rows if r.get(key)]
        bars = right.barh(ys, vs, height=0.4, color=colour, label=name)
        right.bar_label(bars, labels=[f"{v:.1f}" for v in vs], padding=2, fontsize=7)
    right.axvline(TARGET_P99_MS, color="#d62728", linestyle="--", linewidth=1,
                  label=f"p99 target ({TARGET_P99_MS:g} ms)")
    right.set_xscale("log")
    right.set_yticks(ly, lat_labels)
    right.invert_yaxis()
    right.set_xlabel("milliseconds, oha, latency-corrected (log scale)")
    right.set_title("Latency at 50 % of the peak")
    right.set_xlim(right=max([TARGET_P99_MS] + [r.get("p99_ms") or 0 for r in lat_rows]) * 3)
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=3, fontsize=7)
    right.grid(axis="x", which="both", alpha=0.2)

    fig.savefig(svg_path, format="svg", metadata={"Date": None})
    print(f"wrote {svg_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
