#!/usr/bin/env python3
"""Writes test/fixtures/stats-analysis-golden.json: reference values for the per-user analysis
statistics of src/stats (compareFrequentist, compareBayesian, cuped, adjustPValues, power), computed
here independently with scipy/numpy from the published formulas (docs/statistics.md).

Run from the repo root: python3 scripts/gen_stats_analysis_golden.py
The JSON is committed; regenerate only when adding cases. Any language can replay it.

Independence: Welch p-values come from scipy.stats.ttest_ind_from_stats, t and normal quantiles from
scipy.stats; the Wilson interval is cross-checked against scipy.stats.binomtest(...).proportion_ci;
BH against scipy.stats.false_discovery_control; CUPED from raw per-user data (numpy covariance and
the adjusted values themselves), not from the moment algebra the TypeScript uses; the Bayesian
summaries also carry a Monte Carlo estimate with its standard error.
"""

import json
import math
from pathlib import Path

import numpy as np
import scipy
from scipy import optimize, stats

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "stats-analysis-golden.json"
INF = float("inf")


# ---------- building blocks ----------

def wilson(x, n, z):
    p = x / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    lo = 0.0 if x == 0 else max(0.0, c - h)
    hi = 1.0 if x == n else min(1.0, c + h)
    return lo, hi


def check_wilson_against_scipy():
    for x, n in [(0, 10), (3, 10), (10, 10), (1, 300), (57, 1000)]:
        for conf in (0.9, 0.95, 0.99):
            ci = stats.binomtest(x, n).proportion_ci(confidence_level=conf, method="wilson")
            lo, hi = wilson(x, n, stats.norm.isf((1 - conf) / 2))
            assert abs(lo - ci.low) < 1e-12 and abs(hi - ci.high) < 1e-12, (x, n, conf, lo, ci)


def newcombe(xc, nc, xt, nt, z):
    pc, pt = xc / nc, xt / nt
    lc, uc = wilson(xc, nc, z)
    lt, ut = wilson(xt, nt, z)
    d = pt - pc
    return d - math.sqrt((pt - lt) ** 2 + (uc - pc) ** 2), d + math.sqrt((ut - pt) ** 2 + (pc - lc) ** 2)


def newcombe_p(xc, nc, xt, nt):
    d = xt / nt - xc / nc
    if d == 0:
        return 1.0

    def gap(z):
        lo, hi = newcombe(xc, nc, xt, nt, z)
        return lo if d > 0 else -hi

    hi = 1.0
    while gap(hi) > 0:
        hi *= 2
    z = optimize.brentq(gap, 0.0, hi, xtol=1e-300, rtol=8.9e-16, maxiter=500)
    return min(1.0, 2 * stats.norm.sf(z))


def ac_var(x, n):
    p = (x + 1) / (n + 2)
    return p * (1 - p) / (n + 2)


def seq_rho2(alpha, tuning):
    l = -2 * math.log(alpha)
    return (l + math.log(l + 1)) / tuning


def seq_halfwidth(se, n, alpha, tuning):
    r2 = seq_rho2(alpha, tuning)
    return math.sqrt(se * se * n) * math.sqrt(2 * (n * r2 + 1) * math.log(math.sqrt(n * r2 + 1) / alpha) / (n * n * r2))


def seq_p(est, se, n, alpha, tuning):
    r2 = seq_rho2(alpha, tuning)
    st2 = est * est * n / (se * se)
    tr2p1 = n * r2 + 1
    log_e = r2 * st2 / (2 * tr2p1) - 0.5 * math.log(tr2p1)
    return 1.0 if log_e <= 0 else math.exp(-log_e)


def lift_moments(mc, mt, vmc, vmt, z, diff=None):
    if mc == 0 or not abs(mc) > z * math.sqrt(vmc):
        return None
    lift = (mt - mc if diff is None else diff) / mc
    se = math.sqrt(vmt / mc ** 2 + mt ** 2 * vmc / mc ** 4)
    return lift, se


CONTROL_ZERO = "the control mean is not clearly different from 0, so a relative lift would be noise"
NO_SPREAD = "every value is the same in both variants, so there is no spread to measure uncertainty from"
# One arm without spread: GrowthBook's engine refuses it too (gbstats: every variance must be > 0).
ARM_NO_SPREAD = ("every value is the same in one variant, so its uncertainty cannot be estimated "
                 "(an interval would rest on the other variant alone)")


def frequentist(c, t, conf=0.95, binary=False, tuning=None, shift=0.0, direction="increase"):
    (nc, mc, vc), (nt, mt, vt) = c, t
    alpha = 1 - conf
    z = stats.norm.isf(alpha / 2)
    diff = mt - mc
    mcr, mtr = mc + shift, mt + shift
    out = dict(difference=diff, ci_low=None, ci_high=None, p_value=None, relative_lift=None,
               lift_ci_low=None, lift_ci_high=None, chance_to_beat_control=None, significant=False, reason=None)
    if binary:
        xc, xt = round(mcr * nc), round(mtr * nt)
        lo, hi = newcombe(xc, nc, xt, nt, z)
        p = newcombe_p(xc, nc, xt, nt)
        se = math.sqrt(ac_var(xc, nc) + ac_var(xt, nt))
        df = INF
        vmc, vmt = ac_var(xc, nc), ac_var(xt, nt)
        upper = 1 - p / 2 if diff >= 0 else p / 2
        chance = 0.5 if diff == 0 else (upper if direction == "increase" else 1 - upper)
    else:
        a, b = vc / nc, vt / nt
        if a + b == 0:
            out["reason"] = NO_SPREAD
            return out
        if a == 0 or b == 0:
            out["reason"] = ARM_NO_SPREAD
            return out
        se = math.sqrt(a + b)
        df = (a + b) ** 2 / (a * a / (nc - 1) + b * b / (nt - 1))
        p = float(stats.ttest_ind_from_stats(mt, math.sqrt(vt), nt, mc, math.sqrt(vc), nc, equal_var=False).pvalue)
        q = stats.t.isf(alpha / 2, df)
        lo, hi = diff - q * se, diff + q * se
        tstat = diff / se
        chance = float(stats.t.cdf(tstat if direction == "increase" else -tstat, df))
        vmc, vmt = a, b
    n = nc + nt
    if tuning is not None:
        h = seq_halfwidth(se, n, alpha, tuning)
        lo, hi = diff - h, diff + h
        p = seq_p(diff, se, n, alpha, tuning)
    out.update(ci_low=lo, ci_high=hi, p_value=p, chance_to_beat_control=chance, significant=bool(p < alpha))
    lm = lift_moments(mcr, mtr, vmc, vmt, z, diff)
    if lm is None:
        out["reason"] = CONTROL_ZERO
    else:
        lift, lse = lm
        if tuning is not None:
            h = seq_halfwidth(lse, n, alpha, tuning)
        else:
            h = (stats.t.isf(alpha / 2, df) if math.isfinite(df) else z) * lse
        # A rate's lift is at least -100%: the interval is cut there (docs/statistics.md).
        low = max(lift - h, -1.0) if binary else lift - h
        out.update(relative_lift=lift, lift_ci_low=low, lift_ci_high=lift + h)
    return out


def bayesian(c, t, conf=0.95, binary=False, prior=None, direction="increase", rng=None, tuning=None):
    (nc, mc, vc), (nt, mt, vt) = c, t
    z = stats.norm.isf((1 - conf) / 2)
    # Sequential: the data's spread widened by the confidence sequence's factor at the decision's
    # two-sided level 2(1 - conf) (one-sided chance rule), levels below 75% read as 75%.
    a2 = min(2 * (1 - conf), 0.5)
    widen = 1.0 if tuning is None else seq_halfwidth(1.0, nc + nt, a2, tuning) / stats.norm.isf(a2 / 2)
    if binary:
        xc, xt = round(mc * nc), round(mt * nt)
        vmc, vmt = ac_var(xc, nc), ac_var(xt, nt)
    else:
        vmc, vmt = vc / nc, vt / nt
    diff = mt - mc
    if not binary and (vmc == 0 or vmt == 0):
        empty = dict(ci_low=None, ci_high=None, p_value=None, relative_lift=None, lift_ci_low=None,
                     lift_ci_high=None, chance_to_beat_control=None, expected_loss=None, credible_low=None,
                     credible_high=None, significant=False)
        return dict(difference=diff, **empty, reason=NO_SPREAD if vmc + vmt == 0 else ARM_NO_SPREAD), None
    se_abs = math.sqrt(vmc + vmt) * widen
    out = dict(difference=diff, ci_low=diff - z * se_abs, ci_high=diff + z * se_abs, p_value=None)
    lm = lift_moments(mc, mt, vmc, vmt, z)
    if lm is None:
        out.update(relative_lift=None, chance_to_beat_control=None, expected_loss=None, credible_low=None,
                   credible_high=None, reason=CONTROL_ZERO)
        return out, None
    lift, lse = lm
    lse *= widen
    if prior is None:
        mu, sigma = lift, lse
    else:
        m0, v0 = prior
        prec = 1 / lse ** 2 + 1 / v0
        mu = (lift / lse ** 2 + m0 / v0) / prec
        sigma = math.sqrt(1 / prec)
    post = stats.norm(mu, sigma)
    if direction == "increase":
        chance = float(post.sf(0))
        loss = float(stats.norm.expect(lambda d: max(0.0, -d), loc=mu, scale=sigma, ub=0.0)) if False else \
            float(sigma * stats.norm.pdf(mu / sigma) - mu * stats.norm.cdf(-mu / sigma))
    else:
        chance = float(post.cdf(0))
        loss = float(sigma * stats.norm.pdf(mu / sigma) + mu * stats.norm.cdf(mu / sigma))
    lo, hi = post.ppf((1 - conf) / 2), post.isf((1 - conf) / 2)
    if binary:
        lo = max(lo, -1.0)  # a rate's lift is at least -100%
    out.update(relative_lift=lift, lift_ci_low=float(lo), lift_ci_high=float(hi), chance_to_beat_control=chance,
               expected_loss=loss, credible_low=float(lo), credible_high=float(hi),
               significant=bool(chance >= conf or chance <= 1 - conf), reason=None)
    # Monte Carlo of the same posterior: an independent check of the closed forms.
    draws = rng.normal(mu, sigma, 400_000)
    better = draws > 0 if direction == "increase" else draws < 0
    lost = np.maximum(0.0, -draws) if direction == "increase" else np.maximum(0.0, draws)
    mc = dict(chance=float(better.mean()), chance_se=float(better.std(ddof=1) / math.sqrt(draws.size)),
              loss=float(lost.mean()), loss_se=float(lost.std(ddof=1) / math.sqrt(draws.size)))
    return out, mc


def cuped_case(name, rng, arms):
    """arms: list of (n, mean_shift, rho). Builds raw per-user X, Y and the reference from them."""
    xs, ys = [], []
    for n, shift, rho in arms:
        x = rng.lognormal(1.0, 0.6, n)
        y = shift + rho * (x - x.mean()) / x.std() + math.sqrt(1 - rho * rho) * rng.normal(0, 1, n) + 3.0
        xs.append(x)
        ys.append(y)
    X, Y = np.concatenate(xs), np.concatenate(ys)
    cov = np.cov(X, Y, ddof=1)
    theta = cov[0, 1] / cov[0, 0]
    mean_x = X.mean()
    inp, exp_arms = [], []
    before = after = 0.0
    for x, y in zip(xs, ys):
        c = np.cov(x, y, ddof=1)
        inp.append(dict(n=len(x), mean=float(y.mean()), variance=float(c[1, 1]), meanX=float(x.mean()),
                        varianceX=float(c[0, 0]), covarianceXY=float(c[0, 1])))
        adj = y - theta * (x - mean_x)
        exp_arms.append(dict(n=len(x), mean=float(adj.mean()), variance=float(adj.var(ddof=1))))
        before += c[1, 1] / len(x)
        after += adj.var(ddof=1) / len(x)
    return dict(name=name, kind="cuped", input=dict(arms=inp),
                expected=dict(theta=float(theta), variance_reduction=float(1 - after / before), arms=exp_arms))


def holm(p):
    idx = [i for i, v in enumerate(p) if v is not None]
    m = len(idx)
    srt = sorted(idx, key=lambda i: (p[i], i))
    out = [None] * len(p)
    for rank, i in enumerate(srt):
        out[i] = max(min(1.0, (m - j) * p[srt[j]]) for j in range(rank + 1))
    return out


def bh(p):
    idx = [i for i, v in enumerate(p) if v is not None]
    m = len(idx)
    srt = sorted(idx, key=lambda i: (p[i], i))
    out = [None] * len(p)
    for rank, i in enumerate(srt):
        out[i] = min(min(1.0, m / (j + 1) * p[srt[j]]) for j in range(rank, m))
    if m:
        ref = stats.false_discovery_control([p[i] for i in idx], method="bh")
        for k, i in enumerate(idx):
            assert abs(ref[k] - out[i]) <= 1e-15 * max(1.0, ref[k]), (ref, out)
    return out


def power(binary, baseline, mde, sd=None, alpha=0.05, pw=0.8):
    delta = baseline * mde
    if binary:
        pt = baseline * (1 + mde)
        var = baseline * (1 - baseline) + pt * (1 - pt)
    else:
        var = 2 * sd * sd
    zs = stats.norm.isf(alpha / 2) + stats.norm.ppf(pw)
    exact = zs * zs * var / (delta * delta)
    return exact, max(2, math.ceil(exact))


# ---------- cases ----------

def arm(s):
    return dict(n=s[0], mean=s[1], variance=s[2])


def binary_arm(x, n):
    p = x / n
    return (n, p, p * (1 - p) * n / (n - 1) if n > 1 else 0.0)


def t_at(p_two_sided, n):
    """Arms of n users, variance 1, whose Welch test gives exactly p (equal arms: df = 2(n − 1))."""
    se = math.sqrt(2 / n)
    return (n, 0.0, 1.0), (n, stats.t.isf(p_two_sided / 2, 2 * (n - 1)) * se, 1.0)


def main():
    check_wilson_against_scipy()
    rng = np.random.default_rng(20261202)
    cases = []

    def fcase(name, c, t, **o):
        inp = dict(control=arm(c), treatment=arm(t), confidence=o.get("conf", 0.95), binary=o.get("binary", False),
                   sequential=None if o.get("tuning") is None else dict(tuning=o["tuning"]),
                   shift=o.get("shift", 0.0), direction=o.get("direction", "increase"))
        cases.append(dict(name=name, kind="frequentist", input=inp, expected=frequentist(c, t, **o)))

    # FINDINGS: chance from the t distribution.
    fcase("n=3 per arm, t = 2 (chance 0.942)", (3, 0.0, 1.0), (3, 2 * math.sqrt(2 / 3), 1.0))
    for n in (2, 3, 5, 10):
        c, t = t_at(0.05, n)
        fcase(f"exactly p = 0.05 at n = {n} (chance 0.975)", c, t)
    fcase("n = 2 vs 1000, t about 3", (1000, 0.0, 1.0), (2, 3 * math.sqrt(1 / 2 + 1 / 1000), 1.0))
    # FINDINGS: control [0.1, 0.2, -0.3] has mean 1.85e-17 in binary.
    v = np.array([0.1, 0.2, -0.3])
    fcase("control [0.1, 0.2, -0.3]: no relative lift", (3, float(v.mean()), float(v.var(ddof=1))), (3, 0.5, 0.07))
    fcase("revenue, clear lift", (4000, 12.5, 900.0), (4100, 13.9, 1100.0))
    fcase("revenue, clear lift, 90%", (4000, 12.5, 900.0), (4100, 13.9, 1100.0), conf=0.9)
    fcase("revenue, no lift", (800, 30.0, 400.0), (820, 29.5, 380.0))
    fcase("latency (decrease is better)", (5000, 250.0, 2500.0), (5000, 246.0, 2400.0), direction="decrease")
    fcase("negative control mean", (600, -4.0, 9.0), (600, -3.4, 10.0))
    fcase("one constant arm (null, reason)", (50, 2.0, 0.0), (60, 2.6, 1.5))
    fcase("both arms constant (null, reason)", (10, 1.0, 0.0), (10, 2.0, 0.0))
    fcase("means shifted by 1.7e12", (200000, 0.004, 1.0), (200000, 0.0142, 1.02), shift=1.7e12)
    fcase("tiny p-value", (100000, 5.0, 1.0), (100000, 5.05, 1.0))
    # Binary metrics: Newcombe.
    for (xc, nc, xt, nt) in [(0, 2, 2, 2), (5, 5, 0, 5), (0, 1000, 0, 1000), (1, 300, 3, 300), (50, 1000, 65, 1000),
                             (1000, 1000, 1000, 1000), (990, 1000, 1000, 1000), (120, 2400, 180, 2500), (3, 10, 7, 10),
                             (400, 5000, 470, 5000), (1, 1, 0, 1)]:
        fcase(f"binary {xc}/{nc} vs {xt}/{nt}", binary_arm(xc, nc), binary_arm(xt, nt), binary=True)
    fcase("binary 120/2400 vs 180/2500, decrease", binary_arm(120, 2400), binary_arm(180, 2500), binary=True,
          direction="decrease")
    fcase("binary 120/2400 vs 180/2500, 99%", binary_arm(120, 2400), binary_arm(180, 2500), binary=True, conf=0.99)
    # Sequential.
    for tuning in (5000, 1000, 100000):
        fcase(f"sequential revenue, tuning {tuning}", (4000, 12.5, 900.0), (4100, 13.9, 1100.0), tuning=tuning)
    fcase("sequential, small sample", (50, 10.0, 4.0), (50, 11.5, 5.0), tuning=5000)
    fcase("sequential, no effect", (3000, 10.0, 4.0), (3000, 10.01, 4.0), tuning=5000)
    fcase("sequential, huge effect (tiny p)", (50000, 10.0, 4.0), (50000, 10.5, 4.0), tuning=5000)
    fcase("sequential binary 0/1000 vs 0/1000", binary_arm(0, 1000), binary_arm(0, 1000), binary=True, tuning=5000)
    fcase("sequential binary 400/5000 vs 470/5000", binary_arm(400, 5000), binary_arm(470, 5000), binary=True,
          tuning=5000)
    fcase("sequential 90%", (4000, 12.5, 900.0), (4100, 13.9, 1100.0), tuning=5000, conf=0.9)

    def bcase(name, c, t, **o):
        exp, mc = bayesian(c, t, rng=rng, **o)
        inp = dict(control=arm(c), treatment=arm(t), confidence=o.get("conf", 0.95), binary=o.get("binary", False),
                   prior=None if o.get("prior") is None else dict(mean=o["prior"][0], variance=o["prior"][1]),
                   direction=o.get("direction", "increase"),
                   sequential=None if o.get("tuning") is None else dict(tuning=o["tuning"]))
        cases.append(dict(name=name, kind="bayesian", input=inp, expected=exp, monte_carlo=mc))

    bcase("Bayesian revenue, flat prior", (4000, 12.5, 900.0), (4100, 13.9, 1100.0))
    bcase("Bayesian revenue, proper prior N(0, 0.3^2)", (4000, 12.5, 900.0), (4100, 13.9, 1100.0), prior=(0.0, 0.09))
    bcase("Bayesian small effect, flat", (800, 30.0, 400.0), (820, 29.5, 380.0))
    bcase("Bayesian small n, strong prior", (30, 10.0, 25.0), (30, 12.0, 25.0), prior=(0.0, 0.01))
    bcase("Bayesian latency, decrease", (5000, 250.0, 2500.0), (5000, 246.0, 2400.0), direction="decrease")
    bcase("Bayesian binary 120/2400 vs 180/2500", binary_arm(120, 2400), binary_arm(180, 2500), binary=True)
    bcase("Bayesian binary 1000/1000 vs 990/1000", binary_arm(1000, 1000), binary_arm(990, 1000), binary=True)
    bcase("Bayesian binary 0/1000 vs 5/1000 (null)", binary_arm(0, 1000), binary_arm(5, 1000), binary=True)
    bcase("Bayesian 99%", (4000, 12.5, 900.0), (4100, 13.9, 1100.0), conf=0.99)
    # Sequential (a generator of their own, so the cases above keep their Monte Carlo draws).
    srng = np.random.default_rng(20261203)

    def scase(name, c, t, **o):
        exp, mc = bayesian(c, t, rng=srng, **o)
        bcase_inp = dict(control=arm(c), treatment=arm(t), confidence=o.get("conf", 0.95),
                         binary=o.get("binary", False),
                         prior=None if o.get("prior") is None else dict(mean=o["prior"][0], variance=o["prior"][1]),
                         direction=o.get("direction", "increase"), sequential=dict(tuning=o["tuning"]))
        cases.append(dict(name=name, kind="bayesian", input=bcase_inp, expected=exp, monte_carlo=mc))

    scase("Bayesian sequential, 200 per arm (fixed-horizon winner)", (200, 10.0, 4.0), (200, 10.5, 4.0), tuning=5000)
    scase("Bayesian sequential revenue, tuning 5000", (4000, 12.5, 900.0), (4100, 13.9, 1100.0), tuning=5000)
    scase("Bayesian sequential, proper prior", (4000, 12.5, 900.0), (4100, 13.9, 1100.0), tuning=5000,
          prior=(0.0, 0.09))
    scase("Bayesian sequential binary 400/5000 vs 470/5000", binary_arm(400, 5000), binary_arm(470, 5000),
          binary=True, tuning=5000)
    scase("Bayesian sequential 90%, decrease", (5000, 250.0, 2500.0), (5000, 246.0, 2400.0), tuning=20000,
          conf=0.9, direction="decrease")
    scase("Bayesian sequential 60% (read as 75%)", (4000, 12.5, 900.0), (4100, 13.9, 1100.0), tuning=5000,
          conf=0.6)

    # No spread (no Monte Carlo, so no generator's draws move).
    bcase("Bayesian one constant arm (null, reason)", (50, 2.0, 0.0), (60, 2.6, 1.5))
    bcase("Bayesian both arms constant (null, reason)", (10, 1.0, 0.0), (10, 2.0, 0.0))

    cases.append(cuped_case("CUPED two arms, rho 0.7", rng, [(3000, 0.0, 0.7), (3000, 0.05, 0.7)]))
    cases.append(cuped_case("CUPED three arms unequal, rho 0.4", rng, [(500, 0.0, 0.4), (800, 0.1, 0.4), (300, -0.1, 0.4)]))
    cases.append(cuped_case("CUPED weak covariate, rho 0.05", rng, [(2000, 0.0, 0.05), (2000, 0.0, 0.05)]))
    cases.append(cuped_case("CUPED tiny arms", rng, [(3, 0.0, 0.9), (4, 0.2, 0.9)]))

    for name, p in [("four p-values", [0.01, 0.04, 0.03, 0.005]),
                    ("with nulls", [0.02, None, 0.5, None, 0.001, 0.04]),
                    ("ties", [0.03, 0.03, 0.03, 0.2]),
                    ("clip at 1", [0.6, 0.7, 0.9]),
                    ("single", [0.04]),
                    ("all null", [None, None]),
                    ("ten mixed", [0.0001, 0.2, 0.012, 0.049, 0.9, 0.003, 0.051, 0.33, 0.0, 1.0])]:
        cases.append(dict(name=f"adjust {name}", kind="adjust", input=dict(p=p),
                          expected=dict(holm=holm(p), bh=bh(p), none=list(p))))

    for name, o in [("conversion 10%, +10%", dict(binary=True, baseline=0.1, mde=0.1)),
                    ("conversion 2%, +5%, alpha 0.01, power 0.9", dict(binary=True, baseline=0.02, mde=0.05, alpha=0.01, pw=0.9)),
                    ("conversion 50%, -4%", dict(binary=True, baseline=0.5, mde=-0.04)),
                    ("revenue mean 12.5 sd 30, +3%", dict(binary=False, baseline=12.5, mde=0.03, sd=30.0)),
                    ("latency 250 sd 50, -1%, power 0.95", dict(binary=False, baseline=250.0, mde=-0.01, sd=50.0, pw=0.95))]:
        exact, ceil = power(o["binary"], o["baseline"], o["mde"], o.get("sd"), o.get("alpha", 0.05), o.get("pw", 0.8))
        inp = dict(binary=o["binary"], baseline_mean=o["baseline"], mde_relative=o["mde"])
        if "sd" in o:
            inp["baseline_stddev"] = o["sd"]
        if "alpha" in o:
            inp["alpha"] = o["alpha"]
        if "pw" in o:
            inp["power"] = o["pw"]
        cases.append(dict(name=f"power {name}", kind="power", input=inp, expected=dict(exact=exact, users_per_variant=ceil)))

    doc = dict(generator="scripts/gen_stats_analysis_golden.py", scipy_version=scipy.__version__,
               numpy_version=np.__version__, cases=cases)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
