#!/usr/bin/env python3
"""Cross-check the Rust engine against the independent NumPy reference.

Runs `tierlab run SCENARIO --runs N --out DIR` and bench/numpy_reference.py with the same
number of runs (independent random numbers), then compares, per policy:

  * means of benefit, harm, net, events, open_pool_end: z = difference / combined standard
    error (flag |z| > 4);
  * P(catastrophe) and the share of runs whose open pool crossed the hazard threshold:
    two-proportion z (flag |z| > 4);
  * two-sample Kolmogorov-Smirnov tests (scipy.stats.ks_2samp) on benefit, net and events
    (flag p < 0.001).

As diagnostics it also runs KS tests on every uncertain parameter (Rust params.csv against
the reference's draws; flagged like the others) and, for information only (never flagged),
on harm, open_pool_end and hazard_year.

Usage:
    python3 bench/compare_with_numpy.py SCENARIO.toml [RUNS] [--seed S] [--tierlab PATH]

Exit status: 0 when nothing is flagged, 1 when something is, 2 on a usage or run error.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import subprocess
import sys
import time
from collections import defaultdict

import numpy as np
from scipy.stats import ks_2samp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_reference as ref  # noqa: E402

Z_FLAG = 4.0
P_FLAG = 1e-3
MEAN_KEYS = ["benefit", "harm", "net", "events", "open_pool_end"]
KS_KEYS = ["benefit", "net", "events"]
KS_INFO = ["harm", "open_pool_end", "hazard_year"]


def read_rust_runs(path: str) -> dict:
    cols = defaultdict(lambda: defaultdict(list))
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            d = cols[row["policy"]]
            for k in ("benefit", "harm", "net", "max_event", "open_pool_end"):
                d[k].append(float(row[k]))
            d["events"].append(int(row["events"]))
            d["catastrophes"].append(int(row["catastrophes"]))
            d["hazard_year"].append(float(row["hazard_year"]) if row["hazard_year"] else math.nan)
    return {p: {k: np.array(v) for k, v in d.items()} for p, d in cols.items()}


def read_rust_params(path: str) -> dict:
    d = defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            d[row["param"].removeprefix("world.")].append(float(row["value"]))
    return {k: np.array(v) for k, v in d.items()}


def z_means(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    d = a.mean() - b.mean()
    return 0.0 if se == 0 and d == 0 else (d / se if se > 0 else math.inf)


def z_props(x, y) -> float:
    """Two-proportion z with the pooled standard error."""
    x, y = np.asarray(x, bool), np.asarray(y, bool)
    n1, n2 = len(x), len(y)
    p1, p2 = x.mean(), y.mean()
    p = (x.sum() + y.sum()) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return 0.0 if se == 0 else (p1 - p2) / se


def ks_p(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if len(a) == 0 or len(b) == 0:
        return 1.0 if len(a) == len(b) else 0.0
    return float(ks_2samp(a, b).pvalue)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Compare the Rust engine with the NumPy reference.")
    ap.add_argument("scenario")
    ap.add_argument("runs", nargs="?", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=None,
                    help="seed for both (default: the scenario's; the streams differ anyway)")
    ap.add_argument("--tierlab", default=os.environ.get("TIERLAB", "/work/main/target/release/tierlab"))
    ap.add_argument("--outdir", default=None, help="Rust output dir (default /tmp/rs_<stem>)")
    ap.add_argument("--no-paired", action="store_true",
                    help="skip the paired comparison on Rust's parameter draws")
    a = ap.parse_args(argv)

    stem = os.path.splitext(os.path.basename(a.scenario))[0]
    outdir = a.outdir or f"/tmp/rs_{stem}"
    sc = ref.load_scenario(a.scenario)
    seed = a.seed if a.seed is not None else sc["seed"]

    if not os.path.exists(a.tierlab):
        print(f"tierlab binary not found: {a.tierlab}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    cmd = [a.tierlab, "run", a.scenario, "--runs", str(a.runs), "--seed", str(seed),
           "--out", outdir, "--quiet"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stdout, p.stderr, file=sys.stderr)
        return 2
    t_rs = time.perf_counter() - t0
    rs = read_rust_runs(os.path.join(outdir, "runs.csv"))
    rs_par = read_rust_params(os.path.join(outdir, "params.csv"))

    P, npres, tm = ref.simulate(sc, a.runs, seed)
    T = sc["years"] * sc["steps_per_year"]
    print(f"{sc['name']} — {a.scenario}: {a.runs} runs x {len(sc['policies'])} policies x {T} steps")
    print(f"  rust {t_rs:.2f} s wall (incl. writing CSVs); numpy loop {tm['loop']:.2f} s")
    print(f"  flags: |z| > {Z_FLAG:g} (means, proportions), KS p < {P_FLAG:g}")
    flags = []

    # parameters
    par_lines = []
    for k in ref.WORLD_KEYS:
        if not isinstance(P[k], np.ndarray):
            continue
        if k not in rs_par:
            flags.append(f"param {k}: not in Rust params.csv")
            continue
        pk = ks_p(rs_par[k], P[k])
        mark = "*" if pk < P_FLAG else ""
        if mark:
            flags.append(f"param {k}: KS p = {pk:.2g}")
        par_lines.append(f"{k}={pk:.3f}{mark}")
    print("  parameter KS p-values: " + ", ".join(par_lines))
    print()

    hdr = (f"  {'policy':<31}" + "".join(f"{'z ' + k[:7]:>11}" for k in MEAN_KEYS)
           + f"{'z Pcat':>9}{'z Pcross':>10}" + "".join(f"{'KS ' + k[:6]:>11}" for k in KS_KEYS)
           + " | info KS: " + " ".join(KS_INFO))
    print(hdr)
    for pol in sc["policies"]:
        name = pol["name"]
        r, n = rs[name], npres[name]
        cells = []
        for k in MEAN_KEYS:
            z = z_means(r[k], n[k])
            bad = abs(z) > Z_FLAG
            if bad:
                flags.append(f"{name}: mean {k} z = {z:+.2f} (rust {r[k].mean():.4g}, numpy {n[k].mean():.4g})")
            cells.append(f"{z:>+10.2f}{'*' if bad else ' '}")
        for lab, x, y in (("P(catastrophe)", r["catastrophes"] > 0, n["catastrophes"] > 0),
                          ("P(crossed)", ~np.isnan(r["hazard_year"]), ~np.isnan(n["hazard_year"]))):
            z = z_props(x, y)
            bad = abs(z) > Z_FLAG
            if bad:
                flags.append(f"{name}: {lab} z = {z:+.2f} (rust {x.mean():.4f}, numpy {y.mean():.4f})")
            w = 8 if lab == "P(catastrophe)" else 9
            cells.append(f"{z:>+{w}.2f}{'*' if bad else ' '}")
        for k in KS_KEYS:
            pk = ks_p(r[k], n[k])
            bad = pk < P_FLAG
            if bad:
                flags.append(f"{name}: KS {k} p = {pk:.2g}")
            cells.append(f"{pk:>10.3g}{'*' if bad else ' '}")
        info = " ".join(f"{ks_p(r[k], n[k]):.3g}" for k in KS_INFO)
        print(f"  {name[:30]:<31}" + "".join(cells) + " | " + info)
    print()

    # paired: the reference replays Rust's own parameter draws run by run, so per-run
    # differences carry only the dynamics' noise (leaks, events, shocks), not the parameters'
    if not a.no_paired:
        n_rs = len(next(iter(rs_par.values()))) if rs_par else a.runs
        _, pres, _ = ref.simulate(sc, n_rs, seed + 1, params=rs_par)
        print("  paired on Rust's parameter draws: z of the mean per-run difference (rust - numpy)")
        print(f"  {'policy':<31}" + "".join(f"{'z ' + k[:7]:>11}" for k in MEAN_KEYS)
              + f"{'z Pcat':>9}{'z Pcross':>10}{'z logharm':>11}")
        for pol in sc["policies"]:
            name = pol["name"]
            r, n = rs[name], pres[name]
            cells = []
            pairs = [(k, r[k], n[k]) for k in MEAN_KEYS] + [
                ("P(catastrophe)", r["catastrophes"] > 0, n["catastrophes"] > 0),
                ("P(crossed)", ~np.isnan(r["hazard_year"]), ~np.isnan(n["hazard_year"])),
                ("log1p(harm)", np.log1p(r["harm"]), np.log1p(n["harm"]))]
            for k, x, y in pairs:
                d = np.asarray(x, float) - np.asarray(y, float)
                se = d.std(ddof=1) / math.sqrt(len(d))
                z = 0.0 if se == 0 and d.mean() == 0 else (d.mean() / se if se > 0 else math.inf)
                bad = abs(z) > Z_FLAG
                if bad:
                    flags.append(f"{name}: paired {k} z = {z:+.2f} (rust {np.mean(x):.5g}, "
                                 f"numpy {np.mean(y):.5g})")
                cells.append(f"{z:>+10.2f}{'*' if bad else ' '}" if k not in ("P(catastrophe)",)
                             else f"{z:>+8.2f}{'*' if bad else ' '}")
            print(f"  {name[:30]:<31}" + "".join(cells))
        print()
    if flags:
        print("FLAGGED:")
        for f in flags:
            print("  " + f)
        return 1
    print("no flags")
    return 0


if __name__ == "__main__":
    sys.exit(main())
