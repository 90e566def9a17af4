#!/usr/bin/env python3
"""Independent vectorised NumPy implementation of the Tierlab model (shared/MODEL.md, v1).

Written from shared/MODEL.md, shared/SCENARIO.md and docs/MODEL.md only (not from the Rust
source), to serve as

  1. the speed reference the Rust engine is compared against (run-steps per second), and
  2. an independent cross-check of the engine's output distributions
     (see bench/compare_with_numpy.py).

"Straightforward vectorised": a Python loop over steps, NumPy operations over all runs of one
policy at once (arrays of shape [runs] or [runs, J]). Misuse events: Poisson counts per run
from rng.poisson, then per-event landing, source and Pareto severity for all events of the
step at once (np.repeat over runs, np.bincount to accumulate harm per run and jurisdiction).

Randomness: every run's uncertain parameters are drawn once and shared by all policies
(common parameters); the dynamics of each policy use their own independent stream (no common
random numbers inside a step), which is all a distributional cross-check needs.

Usage:
    python3 bench/numpy_reference.py SCENARIO.toml --runs N --seed S [--out runs.csv]
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
import tomllib

import numpy as np

WORLD_KEYS = [
    "k0", "o0", "growth", "growth_sd", "open_lag", "gap_per_log_share", "gap_cap",
    "research_boost", "openness_gap_ref", "hazard_threshold", "hazard_width", "misuse_rate",
    "strip_prob", "api_misuse", "severity_min", "tail_alpha", "severity_per_oom",
    "severity_cap", "catastrophe_threshold", "leak_closed", "leak_gated", "value_per_oom",
    "k_base", "bass_p", "bass_q", "open_adoption_boost", "scrutiny_boost", "r_max",
    "burden_gated", "burden_closed", "mobility", "migration_sd", "discount_rate",
]
JUR_KEYS = [
    "share0", "host", "base_burden", "weight", "exposure", "api_access", "adoption0",
    "preparedness0", "defense_rate", "leak_multiplier",
]
Z95 = 1.6448536  # standard normal 95th percentile, as MODEL.md states it


# --------------------------------------------------------------------------------------
# Scenario and parameter draws
# --------------------------------------------------------------------------------------

def load_scenario(path: str) -> dict:
    with open(path, "rb") as f:
        sc = tomllib.load(f)
    run = sc.get("run", {})
    world = sc["world"]
    missing = [k for k in WORLD_KEYS if k not in world]
    if missing:
        raise SystemExit(f"world: missing keys {missing}")
    jurs = sc["jurisdiction"]
    names = [j["name"] for j in jurs]
    jattr = {k: np.array([float(j[k]) for j in jurs]) for k in JUR_KEYS}
    policies = []
    for p in sc["policy"]:
        regs = [parse_regime(p["default"])] * len(names)
        for jname, reg in p.get("overrides", {}).items():
            regs[names.index(jname)] = parse_regime(reg)
        ob = np.array([r[0] for r in regs])
        gb = np.array([r[1] for r in regs])
        dr = np.array([r[2] for r in regs])
        policies.append({"name": p["name"], "ob": ob, "gb": gb, "drift": dr})
    return {
        "name": sc.get("name", path),
        "runs": int(run.get("runs", 10000)),
        "seed": int(run.get("seed", 0)),
        "years": int(run.get("years", 10)),
        "steps_per_year": int(run.get("steps_per_year", 4)),
        "world": world,
        "jur_names": names,
        "jur": jattr,
        "policies": policies,
    }


def parse_regime(r) -> tuple[float, float, float]:
    """(open_below, gated_below, drift)."""
    if r == "open":
        return (math.inf, math.inf, 0.0)
    if r == "closed":
        return (-math.inf, -math.inf, 0.0)
    t = r["tiered"]
    return (float(t["open_below"]), float(t["gated_below"]), float(t.get("drift", 0.0)))


def draw_param(spec, n: int, rng: np.random.Generator):
    """A fixed number stays a Python float; a distribution gives an array of n draws."""
    if not isinstance(spec, dict):
        return float(spec)
    d = spec["dist"]
    if d == "uniform":
        return rng.uniform(spec["min"], spec["max"], n)
    if d == "triangular":
        return rng.triangular(spec["min"], spec["mode"], spec["max"], n)
    if d == "pert":
        lo, mo, hi = spec["min"], spec["mode"], spec["max"]
        a = 1.0 + 4.0 * (mo - lo) / (hi - lo)
        b = 1.0 + 4.0 * (hi - mo) / (hi - lo)
        return lo + (hi - lo) * rng.beta(a, b, n)
    if d == "normal":
        mean, sd = spec["mean"], spec["sd"]
        lo, hi = spec.get("min", -math.inf), spec.get("max", math.inf)
        x = rng.normal(mean, sd, n)
        bad = (x < lo) | (x > hi)
        while bad.any():  # redraw until inside [min, max]
            x[bad] = rng.normal(mean, sd, int(bad.sum()))
            bad = (x < lo) | (x > hi)
        return x
    if d == "lognormal":
        med, p95 = spec["median"], spec["p95"]
        sigma = math.log(p95 / med) / Z95
        return np.exp(rng.normal(math.log(med), sigma, n))
    if d == "beta":
        m, sd = spec["mean"], spec["sd"]
        c = m * (1 - m) / sd ** 2 - 1
        if not (0 < m < 1 and c > 0):
            raise SystemExit(f"beta(mean={m}, sd={sd}) does not exist")
        return rng.beta(m * c, (1 - m) * c, n)
    raise SystemExit(f"unknown distribution {d!r}")


def draw_params(sc: dict, runs: int, seed: int) -> dict:
    rng = np.random.default_rng([seed, 0])  # parameter stream, shared by all policies
    return {k: draw_param(sc["world"][k], runs, rng) for k in WORLD_KEYS}


# --------------------------------------------------------------------------------------
# Simulation of one policy, all runs at once
# --------------------------------------------------------------------------------------

def col(x):
    """A per-run parameter as a column [runs, 1] (scalars pass through)."""
    return x[:, None] if isinstance(x, np.ndarray) else x


def simulate_policy(sc: dict, P: dict, pol: dict, runs: int, rng: np.random.Generator) -> dict:
    J = len(sc["jur_names"])
    jur = sc["jur"]
    spy = sc["steps_per_year"]
    T = sc["years"] * spy
    dt = 1.0 / spy
    sqdt = math.sqrt(dt)

    # parameters: per-run arrays [runs] or scalars; c* = column form for [runs, J] maths
    gamma, gap_cap, lag = P["gap_per_log_share"], P["gap_cap"], P["open_lag"]
    Hth, w = P["hazard_threshold"], P["hazard_width"]
    Lam, a_open, a_api = P["misuse_rate"], P["strip_prob"], P["api_misuse"]
    smin, alpha, kappa = P["severity_min"], P["tail_alpha"], P["severity_per_oom"]
    scap, scat = P["severity_cap"], P["catastrophe_threshold"]
    lc, lg = P["leak_closed"], P["leak_gated"]
    W, kbase = P["value_per_oom"], P["k_base"]
    bp, bq, omega = P["bass_p"], P["bass_q"], P["open_adoption_boost"]
    beta_s, rmax = P["scrutiny_boost"], P["r_max"]
    bg, bc, mu, msd = P["burden_gated"], P["burden_closed"], P["mobility"], P["migration_sd"]
    drate, g, gsd, psi, D = (P["discount_rate"], P["growth"], P["growth_sd"],
                             P["research_boost"], P["openness_gap_ref"])
    cgamma, clag, cW = col(gamma), col(lag), col(W)
    cbp, cbq, comega = col(bp), col(bq), col(omega)
    cbeta, crmax = col(beta_s), col(rmax)
    # leak probabilities per step [runs, J]
    p_leak_c = 1.0 - np.exp(-col(lc) * jur["leak_multiplier"][None, :] * dt)
    p_leak_g = 1.0 - np.exp(-col(lg) * jur["leak_multiplier"][None, :] * dt)
    p_leak_c = np.broadcast_to(p_leak_c, (runs, J))
    p_leak_g = np.broadcast_to(p_leak_g, (runs, J))
    # per-event parameter arrays (indexed by the run of each event)
    def per_run(x):
        return np.broadcast_to(np.asarray(x, dtype=float), (runs,))
    alpha_r, smin_r, kappa_r, H_r = per_run(alpha), per_run(smin), per_run(kappa), per_run(Hth)
    drate_r = per_run(drate)
    exp_cum = np.cumsum(jur["exposure"])
    exp_cum[-1] = np.inf  # any uniform lands somewhere
    phi, weight, host = jur["api_access"], jur["weight"], jur["host"]
    rho, base_b = jur["defense_rate"], jur["base_burden"]
    ob, gb, drift = pol["ob"], pol["gb"], pol["drift"]
    burden_diff_host = None  # computed per step

    # state
    K = np.full(runs, 0.0) + P["k0"]
    O = np.full(runs, 0.0) + P["o0"]
    s = np.tile(jur["share0"], (runs, 1))
    A = np.tile(jur["adoption0"], (runs, 1))
    r = np.tile(jur["preparedness0"], (runs, 1))
    B = np.zeros((runs, J))
    Hm = np.zeros((runs, J))
    events = np.zeros(runs, dtype=np.int64)
    cats = np.zeros(runs, dtype=np.int64)
    max_event = np.zeros(runs)
    hazard_year = np.where(O >= Hth, 0.0, np.nan)
    ridx = np.arange(runs)

    for t in range(T):
        tau = t * dt
        disc = np.exp(-drate * tau)  # scalar or [runs]
        # 1. jurisdiction frontiers
        lead = s.max(axis=1, keepdims=True)
        ratio = np.log10(lead / np.maximum(s, 1e-12))
        Kj = K[:, None] - cgamma * np.minimum(gap_cap, ratio)
        # 2. ceilings (inf stays inf; drift of open/closed is 0)
        oc = ob + drift * tau
        gc = np.maximum(oc, gb + drift * tau)
        # 3. releases
        Oj = np.minimum(Kj - clag, oc)
        has_g = (Kj > oc) & (gc > oc)
        Gj = np.where(has_g, np.minimum(Kj, gc), -np.inf)
        held = Kj > np.maximum(Oj, Gj)
        # 4. leaks (gated first, then held back)
        ug = rng.random((runs, J))
        uc = rng.random((runs, J))
        leak_g = has_g & (ug < p_leak_g)
        leak_c = held & (uc < p_leak_c)
        # 5. open pool
        newO = np.maximum(Oj.max(axis=1),
                          np.maximum(np.where(leak_g, Gj, -np.inf).max(axis=1),
                                     np.where(leak_c, Kj, -np.inf).max(axis=1)))
        O = np.maximum(O, newO)
        hazard_year[np.isnan(hazard_year) & (O >= Hth)] = tau
        # 6. openness
        theta = np.clip(1.0 - (K - O) / D, 0.0, 1.0)
        # 7. hazard
        hO = 1.0 / (1.0 + np.exp(-(O - Hth) / w))
        hK = 1.0 / (1.0 + np.exp(-(K - Hth) / w))
        wo = a_open * hO
        wa = a_api * hK
        lam = Lam * (wo + wa)
        # 8. misuse events (r before this step's update)
        n = rng.poisson(lam * dt)
        tot = int(n.sum())
        if tot:
            ev = np.repeat(ridx, n)
            land = np.searchsorted(exp_cum, rng.random(tot), side="right")
            p_open = (wo / (wo + wa))[ev]
            k_src = np.where(rng.random(tot) < p_open, O[ev], K[ev])
            X = (1.0 - rng.random(tot)) ** (-1.0 / alpha_r[ev])  # U on (0, 1]
            S = np.minimum(scap, smin_r[ev] * X
                           * 10.0 ** (kappa_r[ev] * np.maximum(0.0, k_src - H_r[ev]))
                           * (1.0 - r[ev, land]))
            flat = ev * J + land
            Hm += np.bincount(flat, weights=np.exp(-drate_r[ev] * tau) * S,
                              minlength=runs * J).reshape(runs, J)
            events += n
            cats += np.bincount(ev, weights=(S >= scat), minlength=runs).astype(np.int64)
            np.maximum.at(max_event, ev, S)
        # 9. benefits (A before this step's update)
        v_open = np.maximum(0.0, O - kbase)[:, None]
        v_api = phi[None, :] * np.maximum(0.0, K - kbase)[:, None]
        v = np.maximum(v_open, v_api)
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(v > 0, v_open / v, 0.0)
        B += col(disc) * cW * weight[None, :] * A * v * dt
        # 10. adoption
        A = np.clip(A + dt * (cbp + cbq * A * (1.0 + comega * f)) * (1.0 - A), 0.0, 1.0)
        # 11. preparedness (rate factor capped at 1, docs/MODEL.md section 5)
        r = r + np.minimum(1.0, dt * rho[None, :] * (1.0 + cbeta * theta[:, None])) * (crmax - r)
        # 12. migration
        burden = (base_b[None, :] + bg * (Kj > oc).astype(float)
                  + bc * (Kj > gc).astype(float))
        e = np.exp(msd * rng.standard_normal(runs))
        gap = np.maximum(0.0, burden[:, :, None] - burden[:, None, :])  # [runs, j, i]
        F = (mu * dt * e)[:, None, None] * s[:, :, None] * host[None, None, :] * gap
        out = F.sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(out > s, s / np.where(out > 0, out, 1.0), 1.0)
        F *= scale[:, :, None]
        # rounding can leave a fully drained share at -1e-17: keep shares >= 0
        s = np.maximum(0.0, s - F.sum(axis=2) + F.sum(axis=1))
        # 13. frontier
        K = K + dt * g * (1.0 + psi * theta) + gsd * sqdt * rng.standard_normal(runs)
        # 14. (series not recorded: not needed for the cross-check)

    benefit = B.sum(axis=1)
    harm = Hm.sum(axis=1)
    return {
        "benefit": benefit, "harm": harm, "net": benefit - harm, "events": events,
        "catastrophes": cats, "max_event": max_event, "open_pool_end": O,
        "hazard_year": hazard_year, "share_end": s,
    }


def simulate(sc: dict, runs: int, seed: int, params: dict | None = None) -> tuple[dict, dict, dict]:
    """Returns (params, {policy name: outputs}, timing).

    `params` (optional): per-run parameter arrays to use instead of drawing them (keys of
    WORLD_KEYS; missing keys take the scenario's value or draw), e.g. the Rust engine's
    params.csv for a paired comparison."""
    t0 = time.perf_counter()
    P = draw_params(sc, runs, seed)
    if params:
        for k, v in params.items():
            P[k] = np.asarray(v, dtype=float)
    t1 = time.perf_counter()
    res = {}
    for pi, pol in enumerate(sc["policies"]):
        rng = np.random.default_rng([seed, 1, pi])
        res[pol["name"]] = simulate_policy(sc, P, pol, runs, rng)
    t2 = time.perf_counter()
    return P, res, {"params": t1 - t0, "loop": t2 - t1}


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------

def mean_se(x):
    x = np.asarray(x, dtype=float)
    return x.mean(), x.std(ddof=1) / math.sqrt(len(x)) if len(x) > 1 else 0.0


def write_runs_csv(path: str, res: dict) -> None:
    with open(path, "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["run", "policy", "benefit", "harm", "net", "events", "catastrophes",
                     "max_event", "open_pool_end", "hazard_year"])
        n = len(next(iter(res.values()))["benefit"])
        for i in range(n):
            for name, o in res.items():
                hy = o["hazard_year"][i]
                wr.writerow([i, name, repr(float(o["benefit"][i])), repr(float(o["harm"][i])),
                             repr(float(o["net"][i])), int(o["events"][i]),
                             int(o["catastrophes"][i]), repr(float(o["max_event"][i])),
                             repr(float(o["open_pool_end"][i])),
                             "" if np.isnan(hy) else repr(float(hy))])


def write_params_csv(path: str, P: dict) -> None:
    with open(path, "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["run", "param", "value"])
        keys = [k for k in WORLD_KEYS if isinstance(P[k], np.ndarray)]
        n = len(P[keys[0]]) if keys else 0
        for i in range(n):
            for k in keys:
                wr.writerow([i, f"world.{k}", repr(float(P[k][i]))])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--runs", type=int, default=None, help="runs per policy (default: [run] runs)")
    ap.add_argument("--seed", type=int, default=None, help="seed (default: [run] seed)")
    ap.add_argument("--out", default=None, help="write runs.csv-style output here")
    ap.add_argument("--params-out", default=None, help="write params.csv-style output here")
    ap.add_argument("--repeat", type=int, default=1,
                    help="simulate this many times and report the best timing")
    a = ap.parse_args(argv)

    t0 = time.perf_counter()
    sc = load_scenario(a.scenario)
    runs = a.runs if a.runs is not None else sc["runs"]
    seed = a.seed if a.seed is not None else sc["seed"]
    t_read = time.perf_counter() - t0
    best = None
    for _ in range(max(1, a.repeat)):
        P, res, tm = simulate(sc, runs, seed)
        if best is None or tm["loop"] < best["loop"]:
            best = tm
    T = sc["years"] * sc["steps_per_year"]
    npol = len(sc["policies"])
    rs = runs * npol * T

    print(f"{sc['name']} — {a.scenario}")
    print(f"{runs} runs x {npol} policies x {T} steps, seed {seed} (NumPy {np.__version__})")
    print()
    hdr = (f"{'policy':<34}{'benefit':>20}{'harm':>20}{'net':>20}"
           f"{'P(cat)':>9}{'events':>9}{'O_end':>9}{'P(cross)':>10}")
    print(hdr)
    for name, o in res.items():
        cells = []
        for k in ("benefit", "harm", "net"):
            m, se = mean_se(o[k])
            cells.append(f"{m:>11.0f} ± {se:<6.0f}")
        pcat = float(np.mean(o["catastrophes"] > 0))
        print(f"{name[:33]:<34}{cells[0]:>20}{cells[1]:>20}{cells[2]:>20}"
              f"{pcat:>9.3f}{np.mean(o['events']):>9.2f}{np.mean(o['open_pool_end']):>9.3f}"
              f"{np.mean(~np.isnan(o['hazard_year'])):>10.3f}")
    print()
    total = t_read + best["params"] + best["loop"]
    print(f"timing (best of {max(1, a.repeat)}): read {t_read:.3f} s, params {best['params']:.3f} s, "
          f"loop {best['loop']:.3f} s")
    print(f"run-steps: {rs}  loop-only {rs / best['loop']:,.0f} run-steps/s  "
          f"total {rs / total:,.0f} run-steps/s")
    if a.out:
        write_runs_csv(a.out, res)
    if a.params_out:
        write_params_csv(a.params_out, P)
    return 0


if __name__ == "__main__":
    sys.exit(main())
