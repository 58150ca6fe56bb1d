#!/usr/bin/env python3
"""Writes test/fixtures/stats-golden.json: reference values for src/stats from scipy.

Run from the repo root: python3 scripts/gen_stats_golden.py
The JSON is committed; regenerate only when adding cases. Any language can replay it.

scipy gives the raw statistics; the null rules of src/stats (documented in docs/statistics.md)
are applied on top, so where scipy answers NaN the fixture says null.
"""

import json
import math
from pathlib import Path

import numpy as np
import scipy
from scipy import stats

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "stats-golden.json"


def finite_or_none(x):
    x = float(x)
    return x if math.isfinite(x) else None


def welch(c, t, level=0.95):
    """c, t: (count, mean, variance). Mirrors compareWelch's documented semantics."""
    (nc, mc, vc), (nt, mt, vt) = c, t
    out = dict(difference=None, relative_lift=None, ci_low=None, ci_high=None,
               p_value=None, chance_to_beat_control=None)
    if nc < 1 or nt < 1:
        return out
    diff = mt - mc
    out["difference"] = diff
    out["relative_lift"] = diff / abs(mc) if mc != 0 else None
    if nc < 2 or nt < 2:
        return out
    # The test is scale-invariant, but scipy squares variances and overflows past ~1e150.
    # Rescaling by a power of two is exact, so the reference stays scipy's own answer.
    k = 2.0 ** round(math.log2(max(abs(mc), abs(mt), math.sqrt(vc), math.sqrt(vt), 1e-300)))
    mcs, mts, vcs, vts = mc / k, mt / k, vc / k / k, vt / k / k
    a, b = vcs / nc, vts / nt
    se = math.sqrt(a + b)
    p = stats.ttest_ind_from_stats(mts, math.sqrt(vts), nt, mcs, math.sqrt(vcs), nc,
                                   equal_var=False).pvalue
    out["p_value"] = finite_or_none(p)
    if se == 0:
        # Both arms constant: no sampling uncertainty, so the interval collapses onto the
        # difference (scipy has no df here). Chance is certain unless the means tie.
        out["ci_low"] = out["ci_high"] = diff
        out["chance_to_beat_control"] = None if diff == 0 else (1.0 if diff > 0 else 0.0)
        return out
    df = (a + b) ** 2 / (a * a / (nc - 1) + b * b / (nt - 1))
    q = stats.t.ppf(1 - (1 - level) / 2, df)
    out["ci_low"] = diff - q * se * k
    out["ci_high"] = diff + q * se * k
    out["chance_to_beat_control"] = float(stats.t.cdf((mts - mcs) / se, df))
    return out


def srm(observed, shares):
    """Mirrors srmCheck: exact binomial per arm (twice the smaller tail), Bonferroni over the arms
    (none with two arms: both tests are the same), null below 8 users per arm. 0%-groups are dropped
    unless they received traffic (then p = 0)."""
    total = sum(observed)
    share_total = sum(shares)
    if any(o > 0 and p == 0 for o, p in zip(observed, shares)):
        return dict(p_value=0.0, mismatch=True)
    kept = [(o, p / share_total) for o, p in zip(observed, shares) if p > 0]
    if len(kept) < 2:
        return dict(p_value=None, mismatch=False)
    if any(o < 8 for o, _ in kept):
        return dict(p_value=None, mismatch=False)
    ps = []
    for o, q in kept:
        lower = stats.binom.cdf(o, total, q)
        upper = stats.binom.sf(o - 1, total, q)
        ps.append(min(1.0, 2 * min(lower, upper)))
    m = 1 if len(kept) == 2 else len(kept)
    p = min(1.0, m * min(ps))
    return dict(p_value=float(p), mismatch=bool(p < 0.001))


def moments_case(name, values):
    v = np.asarray(values, dtype=float)
    n = len(v)
    return dict(
        name=name, kind="moments",
        input=dict(count=n, sum=float(v.sum()), sumSq=float((v * v).sum()),
                   min=float(v.min()) if n else None, max=float(v.max()) if n else None),
        expected=dict(count=n, mean=float(v.mean()) if n else None,
                      variance=float(v.var(ddof=1)) if n > 1 else None,
                      stddev=float(v.std(ddof=1)) if n > 1 else None,
                      min=float(v.min()) if n else None, max=float(v.max()) if n else None),
    )


def welch_case(name, c, t, level=0.95):
    arm = lambda s: dict(count=s[0], mean=s[1], variance=s[2])
    inp = dict(control=arm(c), treatment=arm(t))
    if level != 0.95:
        inp["confidence_level"] = level
    return dict(name=name, kind="welch", input=inp, expected=welch(c, t, level))


def srm_case(name, observed, percentages):
    return dict(name=name, kind="srm",
                input=dict(observed=observed, percentages=percentages),
                expected=srm(observed, percentages))


W = [
    ("equal variances, small lift", (1000, 10.0, 4.0), (1000, 10.2, 4.0)),
    ("equal variances, no lift", (500, 3.0, 1.0), (500, 3.0, 1.0)),
    ("identical samples", (120, 42.5, 17.25), (120, 42.5, 17.25)),
    ("unequal variances and sizes", (200, 5.0, 1.0), (50, 5.6, 9.0)),
    ("unequal variances, treatment worse", (800, 20.0, 25.0), (300, 19.1, 4.0)),
    ("tiny samples n=2", (2, 1.0, 0.5), (2, 2.0, 0.5)),
    ("tiny samples n=2 vs n=3", (2, 10.0, 8.0), (3, 14.0, 1.0)),
    ("tiny samples n=3", (3, 0.0, 1.0), (3, 3.0, 2.0)),
    ("n=2 vs large arm", (2, 5.0, 2.0), (10000, 5.5, 2.0)),
    ("large samples n=1e6, tiny lift", (1_000_000, 0.1, 0.09), (1_000_000, 0.1006, 0.09036)),
    ("large samples n=1e6, clear lift", (1_000_000, 50.0, 100.0), (1_000_000, 50.1, 110.0)),
    ("large samples n=1e6 unequal sizes", (1_000_000, 1.0, 1.0), (10_000, 1.01, 1.5)),
    ("conversion rates 5% vs 5.5%", (20000, 0.05, 0.05 * 0.95 * 20000 / 19999),
     (20000, 0.055, 0.055 * 0.945 * 20000 / 19999)),
    ("zero variance in control", (1000, 0.0, 0.0), (1000, 0.01, 0.0099)),
    ("zero variance in treatment", (50, 2.0, 3.0), (40, 3.0, 0.0)),
    ("zero variance in both arms, different means", (10, 1.0, 0.0), (10, 2.0, 0.0)),
    ("zero variance in both arms, lower treatment", (10, 2.0, 0.0), (12, 1.0, 0.0)),
    ("zero variance in both arms, same mean", (10, 1.0, 0.0), (10, 1.0, 0.0)),
    ("all zeros in both arms", (5000, 0.0, 0.0), (5000, 0.0, 0.0)),
    ("negative means", (300, -5.0, 4.0), (300, -4.5, 6.0)),
    ("negative control mean, relative lift sign", (100, -2.0, 1.0), (100, -3.0, 1.0)),
    ("control mean zero", (100, 0.0, 1.0), (100, 0.3, 1.0)),
    ("means straddle zero", (400, -0.1, 2.0), (400, 0.1, 2.0)),
    ("huge scale 1e12", (500, 1e12, 1e22), (500, 1.01e12, 1.2e22)),
    ("huge scale 1e150", (50, 3e150, 1e300), (60, 4e150, 2e300)),
    ("small scale 1e-12", (500, 1e-12, 1e-26), (500, 1.1e-12, 2e-26)),
    ("small scale 1e-150", (80, 2e-150, 1e-300), (90, 1e-150, 3e-300)),
    ("very strong effect (tiny p)", (1000, 0.0, 1.0), (1000, 0.5, 1.0)),
    ("extreme effect (p ~ 1e-200)", (5000, 0.0, 1.0), (5000, 0.6, 1.0)),
    ("extreme effect (p underflows)", (100000, 0.0, 1.0), (100000, 1.0, 1.0)),
    ("t at the quantile (p ~ 0.05)", (30, 10.0, 9.0), (30, 11.55, 9.0)),
    ("df near 1 (one noisy n=2 arm)", (2, 0.0, 100.0), (1000, 1.0, 0.01)),
    ("n=2 arms, huge t (df ~ 2, p ~ 1e-6)", (2, 0.0, 1e-6), (2, 1.0, 1e-6)),
    ("n=1e6 arms, p ~ 1e-100", (1_000_000, 10.0, 1.0), (1_000_000, 10.03, 1.0)),
    ("extreme df imbalance", (2, 0.0, 1e6), (1_000_000, 1.0, 1.0)),
    ("count below 2 in treatment", (100, 1.0, 1.0), (1, 2.0, 0.0)),
    ("count below 2 in control", (1, 1.0, 0.0), (100, 2.0, 1.0)),
    ("empty treatment", (100, 1.0, 1.0), (0, 0.0, 0.0)),
]

WL = [
    ("99% confidence", (400, 10.0, 4.0), (400, 10.3, 5.0), 0.99),
    ("90% confidence", (400, 10.0, 4.0), (400, 10.3, 5.0), 0.90),
    ("99.9% confidence, tiny samples", (3, 1.0, 1.0), (4, 2.0, 2.0), 0.999),
    ("80% confidence, large samples", (1_000_000, 7.0, 3.0), (900_000, 7.001, 3.1), 0.80),
]

S = [
    ("2 variants 50/50, balanced", [5000, 5000], [50, 50]),
    ("2 variants 50/50, slight imbalance", [5050, 4950], [50, 50]),
    ("2 variants 50/50, mismatch", [5300, 4700], [50, 50]),
    ("2 variants 90/10, ok", [9020, 980], [90, 10]),
    ("2 variants 90/10, mismatch", [9200, 800], [90, 10]),
    ("3 variants 34/33/33, ok", [3410, 3300, 3290], [34, 33, 33]),
    ("3 variants equal, mismatch", [3600, 3200, 3200], [33.34, 33.33, 33.33]),
    ("3 variants unnormalized weights", [100, 200, 300], [1, 2, 3]),
    ("5 variants equal, ok", [2010, 1990, 2005, 1995, 2000], [20, 20, 20, 20, 20]),
    ("5 variants equal, mismatch", [2300, 1900, 1950, 1925, 1925], [20, 20, 20, 20, 20]),
    ("5 variants uneven split, ok", [4030, 1480, 1510, 990, 1990], [40, 15, 15, 10, 20]),
    ("5 variants uneven split, mismatch", [4300, 1480, 1410, 900, 1910], [40, 15, 15, 10, 20]),
    ("4 variants (odd df), ok", [2480, 2530, 2490, 2500], [25, 25, 25, 25]),
    ("4 variants (odd df), p ~ 1e-29", [3000, 2400, 2300, 2300], [25, 25, 25, 25]),
    ("2 variants, p ~ 1e-89", [6000, 4000], [50, 50]),
    ("3 variants, p ~ 1e-44", [4000, 3000, 3000], [1, 1, 1]),
    ("6 variants (odd df), p ~ 1e-19", [1700, 1300, 1300, 1300, 1300, 1300], [1, 1, 1, 1, 1, 1]),
    ("huge mismatch (p underflows)", [1_000_000, 0], [50, 50]),
    ("huge mismatch 3 variants (p underflows)", [60000, 20000, 20000], [33.34, 33.33, 33.33]),
    ("tiny counts", [3, 1], [50, 50]),
    ("8 users in a 1% arm of 266 (chi-square false alarm)", [8, 258], [1, 99]),
    ("1/99 split, 30 of 1000", [30, 970], [1, 99]),
    ("served widths 17/17/17 at 0.5% coverage", [2200, 2150, 2250], [17, 17, 17]),
    ("served widths 3/23 at 0.25% coverage", [1150, 8850], [3, 23]),
    ("0% group without traffic is ignored", [5000, 0, 5000], [50, 0, 50]),
    ("0% group with traffic is a mismatch", [5000, 3, 5000], [50, 0, 50]),
    ("single group", [100], [100]),
    ("only one group with share", [100, 0], [100, 0]),
    ("no exposures", [0, 0, 0], [34, 33, 33]),
]

rng = np.random.default_rng(20240601)
M = [
    ("moments of 1..10", np.arange(1, 11)),
    ("moments of normal noise", rng.normal(3.0, 2.0, 1000)),
    ("moments of conversions", (rng.random(5000) < 0.07).astype(float)),
    ("moments of negative values", rng.normal(-250.0, 30.0, 200)),
    ("moments of two values", [1.5, 4.0]),
    ("moments of one value", [7.25]),
]


def main():
    cases = [welch_case(*w) for w in W] + [welch_case(*w) for w in WL]
    cases += [srm_case(*s) for s in S] + [moments_case(*m) for m in M]
    doc = dict(
        generator="scripts/gen_stats_golden.py",
        scipy_version=scipy.__version__,
        numpy_version=np.__version__,
        cases=cases,
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
