#!/usr/bin/env python3
"""Independent reference values for gemba's experiment statistics (src/stats.rs).

Run:  python3 tests/reference/stats_reference.py > tests/reference/stats_cases.txt
Needs: scipy, numpy, mpmath  (pip install scipy numpy mpmath)

How the values are computed
---------------------------
* Every printed value is computed in mpmath at 50 significant digits from the
  exact decimal inputs (sd 18.5 is 37/2, confidence 0.95 is 19/20, not their
  f64 neighbours), then rounded once to the nearest f64 and printed as Python
  repr (shortest string that round-trips to that f64, at most 17 significant
  digits; also a valid Rust f64 literal).  A double-precision implementation
  (Rust, scipy) will differ from these in the last few ulps only.
* Each case is recomputed independently with scipy.stats (double precision);
  the largest relative disagreement is printed in a "// scipy check" line.

Formulas
--------
Frequentist test: the unpooled two-sample test on the relative lift, as in
GrowthBook's frequentist engine (gbstats, TwoSidedTTest: unpooled variances,
relative lift, Welch-Satterthwaite degrees of freedom), with the variance of
the ratio of means from the delta method of
  Deng, Knoblich, Lu (2018), "Applying the Delta Method in Metric Analytics:
  A Practical Guide with Novel Ideas", KDD 2018, section 3 / appendix:
      Var(V/C) ~= Var(V)/C^2 + V^2 Var(C)/C^4      (V, C independent arms)

  rate arm:  p = x/n, per-unit variance s^2 = p(1-p)
  mean arm:  m,       per-unit variance s^2 = sd^2
  var_of_mean = s^2/n;  c, v = control, variant value;  vc, vv = their var_of_mean

  RELATIVE basis (c > 0):
      lift = v/c - 1
      se   = sqrt(vv/c^2 + v^2 vc/c^4)                      (delta method)
      stat = lift/se
      rates: N(0,1);  means: Student t, Welch-Satterthwaite
             df = (vc+vv)^2 / (vc^2/(nc-1) + vv^2/(nv-1))
      p    = 2 sf(|stat|)    (survival function, so tiny p are not 0)
      crit = ppf(1 - alpha/2)
      ci   = [lift - crit se, lift + crit se];  ci_abs = c * ci
  ABSOLUTE basis (c <= 0):
      diff = v - c, se = sqrt(vc+vv), stat = diff/se, same distribution/df,
      ci_abs = [diff - crit se, diff + crit se]; lift and ci are None.
  lift_abs = v - c always.
  verdict: win if the interval excludes 0 on the metric's side
           (increase: lo > 0, decrease: hi < 0), loss if on the other side,
           else inconclusive.

Chance to win:
  rates: flat priors, A ~ Beta(1+xc, 1+nc-xc), B ~ Beta(1+xv, 1+nv-xv).
         P(B > A) by the exact finite sum for integer Beta parameters
         (Evan Miller, "Formulas for Bayesian A/B Testing", 2015):
           P(B>A) = sum_{i=0}^{aB-1} B(aA+i, bA+bB) /
                    ((bB+i) B(1+i, bB) B(aA, bA))
         evaluated in mpmath at 50 digits.  Every term is positive, and
         P(A>B) is the same sum with the arms swapped, so the small tail is
         computed directly, never as 1 - big.  Cross-checks: mpmath.quad of
         the integral  P(B<A) = int f_A(x) I_x(aB, bB) dx  (case b), and
         scipy.integrate.quad of  int f_A(x) sf_B(x) dx  with boost's
         incomplete beta (all cases; double precision).
         Case i (5e8 conversions) is out of reach of the finite sum; it uses
         scipy quad (boost's ibeta handles the large parameters; checked
         against the finite sum up to 20,000 conversions) and shows the
         normal approximation next to it.
  means: normal approximation, P = Phi((v-c)/sqrt(vc+vv)) for increase,
         Phi(-(v-c)/sqrt(vc+vv)) for decrease.

Sizing (two-sample z-test, normal quantiles):
  z = Phi^-1(1-alpha/2) + Phi^-1(power), power = 0.8, split s = variant share
  rates: t = c(1+mde) (increase) or c(1-mde) (decrease); delta = t - c;
         sc2 = c(1-c), st2 = t(1-t)
  means: delta = mde c; sc2 = st2 = control sd^2
  N_total = z^2 (sc2/(1-s) + st2/s) / delta^2
  required_control = ceil((1-s) N_total), required_variant = ceil(s N_total)
  progress = min(nc/required_control, nv/required_variant)

Sample-ratio check: Pearson chi-square, 1 df, of (nc, nv) against
  (total (1-s), total s); p = chi2.sf(stat, 1) = erfc(sqrt(stat/2)).
"""

import math

import mpmath as mp
import numpy as np
from scipy import integrate, special, stats

mp.mp.dps = 50


# ---------------------------------------------------------------- printing

def f(x):
    """An mpf/float as the repr of the nearest f64 (a valid Rust literal)."""
    if x is None:
        return "None"
    return repr(float(x))


def pair(a):
    return "None" if a is None else "[%s, %s]" % (f(a[0]), f(a[1]))


# ------------------------------------------------ distributions in mpmath

def norm_cdf(z):
    return mp.ncdf(z)


def norm_sf(z):
    # Phi(-z) = erfc(z/sqrt 2)/2, exact in the far tail.
    return mp.erfc(z / mp.sqrt(2)) / 2


def norm_ppf(q):
    return mp.sqrt(2) * mp.erfinv(2 * q - 1)


def t_sf(t, df):
    # For t >= 0: P(T > t) = I_{df/(df+t^2)}(df/2, 1/2) / 2.
    assert t >= 0
    return mp.betainc(df / 2, mp.mpf(1) / 2, 0, df / (df + t * t), regularized=True) / 2


def t_ppf(q, df):
    # Invert t_sf by Newton's method from scipy's double value.
    start = mp.mpf(float(stats.t.ppf(float(q), float(df))))
    return mp.findroot(lambda x: (1 - q) - t_sf(x, df), start)


def chi2_1_sf(x):
    return mp.erfc(mp.sqrt(x / 2))


# --------------------------------------------------- exact P(B > A), rates

def beta_params(n, x):
    return x + 1, n - x + 1


def prob_b_beats_a(aA, bA, aB, bB):
    """P(X_B > X_A) for X_A ~ Beta(aA, bA), X_B ~ Beta(aB, bB), integer aB.

    Evan Miller's finite sum; all terms positive (no cancellation)."""
    lg = mp.loggamma
    lbeta = lambda a, b: lg(a) + lg(b) - lg(a + b)
    base = lbeta(aA, bA)
    total = mp.mpf(0)
    for i in range(int(aB)):
        total += mp.exp(lbeta(aA + i, bA + bB) - mp.log(bB + i)
                        - lbeta(1 + i, bB) - base)
    return total


def rate_chances_exact(nc, xc, nv, xv):
    """(P(B>A), P(B<A)), both computed directly."""
    aA, bA = beta_params(nc, xc)
    aB, bB = beta_params(nv, xv)
    return prob_b_beats_a(aA, bA, aB, bB), prob_b_beats_a(aB, bB, aA, bA)


def rate_chances_scipy_quad(nc, xc, nv, xv):
    """(P(B>A), P(B<A)) by scipy quad of f_A(x) sf_B(x), f_A(x) cdf_B(x)."""
    aA, bA = beta_params(nc, xc)
    aB, bB = beta_params(nv, xv)
    A, B = stats.beta(aA, bA), stats.beta(aB, bB)
    # Integrate over where f_A has mass: mean +- 60 sd (clipped to [0, 1]).
    m, s = A.mean(), A.std()
    lo, hi = max(0.0, m - 60 * s), min(1.0, m + 60 * s)
    pts = list(np.linspace(max(lo, m - 8 * s), min(hi, m + 8 * s), 33))
    opts = dict(limit=2000, epsabs=0.0, epsrel=1e-13, points=pts)
    up, _ = integrate.quad(lambda x: A.pdf(x) * B.sf(x), lo, hi, **opts)
    down, _ = integrate.quad(lambda x: A.pdf(x) * B.cdf(x), lo, hi, **opts)
    return up, down


def rate_chances_mpmath_quad(nc, xc, nv, xv):
    """(P(B>A), P(B<A)) by mpmath.quad (tanh-sinh), 30 digits."""
    with mp.workdps(30):
        aA, bA = beta_params(nc, xc)
        aB, bB = beta_params(nv, xv)
        lb = mp.log(mp.beta(aA, bA))
        fA = lambda x: mp.exp((aA - 1) * mp.log(x) + (bA - 1) * mp.log1p(-x) - lb)
        m = mp.mpf(aA) / (aA + bA)
        s = mp.sqrt(aA * bA / ((aA + bA) ** 2 * (aA + bA + 1)))
        knots = [0] + [m + k * s for k in range(-8, 41, 2) if 0 < m + k * s < 1] + [1]
        down = mp.quad(lambda x: fA(x) * mp.betainc(aB, bB, 0, x, regularized=True), knots)
        up = mp.quad(lambda x: fA(x) * mp.betainc(aB, bB, x, 1, regularized=True), knots)
        return +up, +down


def rate_chances_normal(nc, xc, nv, xv):
    """Normal approximation: A, B ~ normals with the Betas' means and variances."""
    def mv(n, x):
        a, b = beta_params(mp.mpf(n), mp.mpf(x))
        return a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))
    mA, vA = mv(nc, xc)
    mB, vB = mv(nv, xv)
    z = (mB - mA) / mp.sqrt(vA + vB)
    return norm_cdf(z), norm_sf(z)


# ------------------------------------------------------------- the analysis

def d(x):
    """An input as the exact decimal it was written as (0.1, not the f64 0.1)."""
    return mp.mpf(str(x))


def arm_stats(arm):
    """(n, value, var_of_mean, per-unit variance)."""
    if arm[0] == "rate":
        _, n, x = arm
        n, x = mp.mpf(n), mp.mpf(x)
        p = x / n
        return n, p, p * (1 - p) / n, p * (1 - p)
    _, n, m, sd = arm
    n, m, sd = mp.mpf(n), d(m), d(sd)
    return n, m, sd * sd / n, sd * sd


def sizing(kind, c, c_var_unit, direction, mde, split, alpha, power=0.8):
    mde, s = d(mde), d(split)
    z = norm_ppf(1 - alpha / 2) + norm_ppf(d(power))
    if kind == "rate":
        t = c * (1 + mde) if direction == "increase" else c * (1 - mde)
        delta = t - c
        sc2, st2 = c * (1 - c), t * (1 - t)
    else:
        delta = mde * c
        sc2 = st2 = c_var_unit
    if delta == 0:
        return None
    total = z * z * (sc2 / (1 - s) + st2 / s) / (delta * delta)
    rc, rv = (1 - s) * total, s * total
    # Warn if a ceil() sits within rounding distance of an integer.
    for r in (rc, rv):
        assert abs(r - mp.nint(r)) > mp.mpf("1e-6"), ("ceil is ill-conditioned", r)
    return total, int(mp.ceil(rc)), int(mp.ceil(rv))


def analyse(control, variant, direction, confidence=0.95, mde=0.1, split=0.5):
    kind = control[0]
    alpha = 1 - d(confidence)
    nc, c, vc, c_var_unit = arm_stats(control)
    nv, v, vv, _ = arm_stats(variant)
    r = dict(kind=kind, lift=None, ci=None, df=None)
    r["lift_abs"] = v - c

    if kind == "mean":
        df = (vc + vv) ** 2 / (vc ** 2 / (nc - 1) + vv ** 2 / (nv - 1))
        r["df"] = df
        sf = lambda z: t_sf(z, df)
        crit = t_ppf(1 - alpha / 2, df)
    else:
        sf = norm_sf
        crit = norm_ppf(1 - alpha / 2)
    r["crit"] = crit

    if c > 0:
        r["basis"] = "relative"
        lift = v / c - 1
        se = mp.sqrt(vv / c ** 2 + v ** 2 * vc / c ** 4)
        stat = lift / se
        ci = (lift - crit * se, lift + crit * se)
        r.update(lift=lift, se=se, ci=ci, ci_abs=(c * ci[0], c * ci[1]))
    else:
        r["basis"] = "absolute"
        diff = v - c
        se = mp.sqrt(vc + vv)
        stat = diff / se if se > 0 else None
        r.update(se=se, ci_abs=(diff - crit * se, diff + crit * se))
    r["stat"] = stat
    r["p_value"] = 2 * sf(abs(stat)) if stat is not None else mp.mpf(1)

    lo, hi = r["ci_abs"]
    if direction == "increase":
        r["verdict"] = "win" if lo > 0 else "loss" if hi < 0 else "inconclusive"
    else:
        r["verdict"] = "win" if hi < 0 else "loss" if lo > 0 else "inconclusive"

    # chance to win / lose
    if kind == "rate":
        xc, xv = control[2], variant[2]
        if control[1] + variant[1] > 10 ** 7:
            # Too many terms for the finite sum: scipy quad (double precision).
            up, down = (mp.mpf(x) for x in
                        rate_chances_scipy_quad(control[1], xc, variant[1], xv))
            r["chance_method"] = "scipy quad with boost ibeta, double precision"
        else:
            up, down = rate_chances_exact(control[1], xc, variant[1], xv)
            r["chance_method"] = "exact finite sum, mpmath 50 digits"
    else:
        z = (v - c) / mp.sqrt(vc + vv)
        up, down = norm_cdf(z), norm_sf(z)
        r["chance_method"] = "normal approximation Phi((v-c)/sqrt(vc+vv))"
    r["p_b_gt_a"], r["p_b_lt_a"] = up, down
    win, lose = (up, down) if direction == "increase" else (down, up)
    r["chance_to_win"], r["chance_to_lose"] = win, lose

    # sizing
    sz = sizing(kind, c, c_var_unit, direction, mde, split, alpha) if c != 0 else None
    if sz is None:
        r["sizing"] = None
    else:
        total, rc, rv = sz
        r["sizing"] = dict(N_total=total, required_control=rc, required_variant=rv,
                           progress=min(nc / rc, nv / rv), mde=mde, split=split)
    return r


def analyse_scipy(control, variant, direction, confidence=0.95):
    """The same in plain double precision with scipy, for the cross-check."""
    kind = control[0]
    alpha = 1 - confidence

    def st(arm):
        if arm[0] == "rate":
            p = arm[2] / arm[1]
            return arm[1], p, p * (1 - p) / arm[1]
        return arm[1], arm[2], arm[3] ** 2 / arm[1]
    nc, c, vc = st(control)
    nv, v, vv = st(variant)
    if kind == "mean":
        df = (vc + vv) ** 2 / (vc ** 2 / (nc - 1) + vv ** 2 / (nv - 1))
        dist = stats.t(df)
    else:
        df, dist = None, stats.norm
    crit = dist.ppf(1 - alpha / 2)
    out = dict(df=df, lift_abs=v - c)
    if c > 0:
        lift = v / c - 1
        se = math.sqrt(vv / c ** 2 + v ** 2 * vc / c ** 4)
        ci = (lift - crit * se, lift + crit * se)
        out.update(lift=lift, ci=ci, ci_abs=(c * ci[0], c * ci[1]))
        stat = lift / se
    else:
        se = math.sqrt(vc + vv)
        stat = (v - c) / se
        out.update(ci_abs=(v - c - crit * se, v - c + crit * se))
    out["p_value"] = 2 * dist.sf(abs(stat))
    if kind == "rate":
        up, down = rate_chances_scipy_quad(control[1], control[2], variant[1], variant[2])
    else:
        z = (v - c) / math.sqrt(vc + vv)
        up, down = stats.norm.cdf(z), stats.norm.sf(z)
    out["p_b_gt_a"], out["p_b_lt_a"] = up, down
    return out


def max_rel_diff(r, s):
    worst = 0.0
    for k in ("lift", "lift_abs", "ci", "ci_abs", "p_value", "df", "p_b_gt_a", "p_b_lt_a"):
        a, b = r.get(k), s.get(k)
        if a is None or b is None:
            continue
        a = a if isinstance(a, tuple) else (a,)
        b = b if isinstance(b, tuple) else (b,)
        for x, y in zip(a, b):
            x = float(x)
            if x != 0:
                worst = max(worst, abs((x - y) / x))
            else:
                worst = max(worst, abs(y))
    return worst


def describe(arm):
    if arm[0] == "rate":
        return "rate %d/%d" % (arm[1], arm[2])
    return "mean n=%d %s sd %s" % (arm[1], arm[2], arm[3])


def block(name, label, control, variant, direction, confidence=0.95, mde=0.1,
          split=0.5, extra=()):
    r = analyse(control, variant, direction, confidence, mde, split)
    s = analyse_scipy(control, variant, direction, confidence)
    print("// %s) %s vs %s, %s, confidence %s  [%s]"
          % (label, describe(control), describe(variant), direction, confidence, name))
    line = ("lift: %s, lift_abs: %s, ci: %s, ci_abs: %s, p_value: %s, "
            "chance_to_win: %s, chance_to_lose: %s, verdict: %s"
            % (f(r["lift"]), f(r["lift_abs"]), pair(r["ci"]), pair(r["ci_abs"]),
               f(r["p_value"]), f(r["chance_to_win"]), f(r["chance_to_lose"]),
               r["verdict"]))
    if r["df"] is not None:
        line += ", df: %s" % f(r["df"])
    print(line)
    print("//   basis: %s, se: %s, stat: %s, crit: %s"
          % (r["basis"], f(r["se"]), f(r["stat"]), f(r["crit"])))
    print("//   P(B>A): %s, P(B<A): %s  (%s)"
          % (f(r["p_b_gt_a"]), f(r["p_b_lt_a"]), r["chance_method"]))
    if r["sizing"]:
        z = r["sizing"]
        print("//   sizing (mde %s, split %s, power 0.8): N_total: %s, "
              "required_control: %d, required_variant: %d, progress: %s"
              % (z["mde"], z["split"], f(z["N_total"]), z["required_control"],
                 z["required_variant"], f(z["progress"])))
    else:
        print("//   sizing: undefined (control value 0, so delta = 0)")
    print("//   scipy check: max relative difference %.1e" % max_rel_diff(r, s))
    for e in extra:
        print("//   " + e)
    print()
    return r


def srm(nc, nv, split):
    total = mp.mpf(nc + nv)
    ec, ev = total * (1 - d(split)), total * d(split)
    chi = (nc - ec) ** 2 / ec + (nv - ev) ** 2 / ev
    p = chi2_1_sf(chi)
    ps = float(stats.chisquare([nc, nv], [float(ec), float(ev)]).pvalue)
    return chi, p, ps


# ------------------------------------------------------------------- main

def main():
    print("// Reference values for gemba's experiment statistics.")
    print("// Generated by tests/reference/stats_reference.py (mpmath 50 digits; "
          "scipy %s cross-check)." % __import__("scipy").__version__)
    print("// Floats: repr of the correctly rounded f64 (<= 17 significant digits).")
    print("// ci is the relative lift's interval, ci_abs the absolute one; None = undefined.")
    print()

    R, M = "rate", "mean"
    block("docs_reference", "a", (R, 10000, 500), (R, 10000, 560), "increase")
    block("small_counts", "b", (R, 200, 2), (R, 200, 9), "increase")
    block("zero_control", "c", (R, 10000, 0), (R, 10000, 60), "increase")

    print("// d) rate 10000/0 vs 10000/0, increase  [both_zero]")
    print("// No computation: diff 0, se 0 -> no difference. lift: None, lift_abs: 0.0,"
          " p_value: 1.0, chance_to_win: 0.5 (identical Beta(1, 10001) posteriors),"
          " verdict: inconclusive")
    print()

    block("negative_mean", "e", (M, 500, -2.0, 1.0), (M, 500, -1.8, 1.0), "increase",
          extra=["sizing with a negative control mean uses delta = mde*c = -0.2 as the formula says"])
    block("mean_decrease", "f", (M, 400, 41.2, 18.0), (M, 400, 43.0, 18.5), "decrease",
          mde=0.1)

    # g: also the p-value in mpmath without rounding, to show its exponent.
    r = block("tiny_p", "g", (R, 10000, 500), (R, 10000, 1500), "increase")
    print("//   g p_value to 25 digits: %s" % mp.nstr(r["p_value"], 25))
    print()

    block("low_rates", "h", (R, 100000, 30), (R, 100000, 45), "increase")

    # i: 5e8 conversions. The finite sum needs 5e8 terms; use scipy quad with
    # boost's ibeta (double precision) and the normal approximation.
    ni, xci, xvi = 10 ** 9, 5 * 10 ** 8, 500040000
    quad_up, quad_down = rate_chances_scipy_quad(ni, xci, ni, xvi)
    na_up, na_down = rate_chances_normal(ni, xci, ni, xvi)
    block("huge_counts", "i", (R, ni, xci), (R, ni, xvi), "increase",
          extra=["normal approximation: P(B>A) %s (|diff| to quad %.1e), P(B<A) %s (|diff| %.1e)"
                 % (f(na_up), abs(quad_up - float(na_up)),
                    f(na_down), abs(quad_down - float(na_down))),
                 "the error table below shows the approximation error of equal arms "
                 "falls as ~0.05/conversions, i.e. ~1e-10 here, as observed"])

    block("sizing_split", "j", (R, 18000, 900), (R, 2000, 100), "increase",
          mde=0.1, split=0.1)
    block("sizing_decrease", "k", (R, 10000, 500), (R, 10000, 500), "decrease", mde=0.1)
    block("welch_relative", "l", (M, 1000, 10.0, 2.0), (M, 1000, 10.3, 2.5), "increase")
    block("confidence_95", "m", (R, 2000, 120), (R, 2000, 150), "increase")
    block("confidence_90", "m", (R, 2000, 120), (R, 2000, 150), "increase",
          confidence=0.9)

    print("// n) sample-ratio check: chi-square 1 df, p = chi2.sf(stat, 1)")
    for name, nc, nv, sp in (("srm_even", 10000, 10300, 0.5),
                             ("srm_split_ok", 18000, 2000, 0.1),
                             ("srm_split_off", 9000, 1000, 0.1)):
        chi, p, ps = srm(nc, nv, sp)
        print("// %s: %d vs %d at split %s" % (name, nc, nv, sp))
        print("chi2: %s, p_value: %s   // scipy.stats.chisquare p: %r"
              % (f(chi), f(p), ps))
    print()

    # Cross-check of the exact sum against numerical integration.
    print("// Cross-check of P(B>A), P(B<A) (exact finite sum) by integration:")
    for nc, xc, nv, xv in ((200, 2, 200, 9), (10000, 500, 10000, 560),
                           (8000, 4000, 8000, 4104), (400000, 20000, 400000, 20250)):
        ex = rate_chances_exact(nc, xc, nv, xv)
        sq = rate_chances_scipy_quad(nc, xc, nv, xv)
        line = ("//   %d/%d vs %d/%d: exact %s / %s; scipy quad |diff| %.1e / %.1e"
                % (nc, xc, nv, xv, mp.nstr(ex[0], 20), mp.nstr(ex[1], 20),
                   abs(sq[0] - float(ex[0])), abs(sq[1] - float(ex[1]))))
        if nc == 200:
            mq = rate_chances_mpmath_quad(nc, xc, nv, xv)
            line += ("; mpmath quad (30 digits) |diff| %s / %s"
                     % (mp.nstr(abs(mq[0] - ex[0]), 3), mp.nstr(abs(mq[1] - ex[1]), 3)))
        print(line)
    print()

    error_table()


def rate_chances_edgeworth(nc, xc, nv, xv):
    """Normal approximation plus the one-term Edgeworth (skewness) correction.

    D = B - A has mean mu, sd sigma and skewness g = (k3_B - k3_A)/sigma^3,
    k3 = skew * var^1.5 of each Beta, skew = 2(b-a)sqrt(a+b+1)/((a+b+2)sqrt(ab)).
    With z = mu/sigma:  P(B>A) ~= Phi(z) + phi(z) g/6 (z^2 - 1)."""
    def mom(n, x):
        a, b = beta_params(mp.mpf(n), mp.mpf(x))
        t = a + b
        var = a * b / (t * t * (t + 1))
        skew = 2 * (b - a) * mp.sqrt(t + 1) / ((t + 2) * mp.sqrt(a * b))
        return a / t, var, skew * var ** mp.mpf(1.5)
    mA, vA, kA = mom(nc, xc)
    mB, vB, kB = mom(nv, xv)
    sigma = mp.sqrt(vA + vB)
    z, g = (mB - mA) / sigma, (kB - kA) / sigma ** 3
    return norm_cdf(z) + mp.npdf(z) * g / 6 * (z * z - 1)


def error_rows(rate, x_small, split, targets):
    """Rows (xc, nc, xv, nv, exact P(B>A), |normal - exact|) for one setting.

    The variant holds the share `split` of the units; the variant arm has
    about x_small conversions at baseline; xv is chosen so that P(B>A) is
    roughly each target (z-shift of the variant rate)."""
    nv = int(round(x_small / rate))
    nc = int(round(nv * (1 - split) / split))
    xc = int(round(nc * rate))
    sd = math.sqrt(rate * (1 - rate) * (1 / nc + 1 / nv))
    rows = []
    for q in targets:
        zq = float(norm_ppf(mp.mpf(q)))
        xv = int(round(nv * (rate + zq * sd)))
        aA, bA = beta_params(nc, xc)
        aB, bB = beta_params(nv, xv)
        # The finite sum over the variant's aB terms (the smaller arm here).
        ex = prob_b_beats_a(aA, bA, aB, bB)
        ap, _ = rate_chances_normal(nc, xc, nv, xv)
        ed = rate_chances_edgeworth(nc, xc, nv, xv)
        rows.append((xc, nc, xv, nv, ex, abs(ap - ex), abs(ed - ex)))
    return rows


def error_table():
    """|normal approximation - exact| of P(B>A) for rates.

    A, B ~ Beta posteriors (flat priors) replaced by normals with the same means
    and variances; exact = Evan Miller's finite sum in mpmath (30 digits).
    The error of P(B<A) is the same number (both sum to 1)."""
    print("// Normal approximation of P(B>A) for rates: absolute error vs exact")
    print("// (A, B replaced by normals with the Beta means/variances; exact = finite sum;")
    print("//  the error of P(B<A) = 1 - P(B>A) is the same number).")
    print("// columns: conversions_control, n_control, conversions_variant, n_variant, "
          "exact P(B>A), |normal - exact|, |normal+skewness (Edgeworth) - exact|")
    up = (0.6, 0.7, 0.8, 0.9, 0.95, 0.975, 0.99)
    both = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4) + up
    settings = [(0.05, x, 0.5, up) for x in (100, 300, 500, 600, 1000, 2000, 4000, 10000, 20000)]
    settings += [(0.005, x, 0.5, up) for x in (100, 1000, 4000)]
    settings += [(0.5, x, 0.5, up) for x in (100, 1000, 4000)]
    # Unequal arms (variant share 0.1): the arms' skewness no longer cancels.
    settings += [(0.05, x, 0.1, both) for x in (100, 1000, 4000, 20000)]
    # Variant share 0.9 (control the smaller arm, ~x/9 conversions) and 0.3.
    settings += [(0.05, x, 0.9, both) for x in (1000, 9000)]
    settings += [(0.05, x, 0.3, both) for x in (1000, 4000)]
    summary = []
    with mp.workdps(30):
        for rate, x, split, targets in settings:
            print("// rate %s, variant share %s, ~%d conversions in the variant arm"
                  % (rate, split, x))
            rows = error_rows(rate, x, split, targets)
            for xc, nc, xv, nv, ex, err, err_e in rows:
                print("%d, %d, %d, %d, %s, %s, %s" % (xc, nc, xv, nv, mp.nstr(ex, 12),
                                                      mp.nstr(err, 3), mp.nstr(err_e, 3)))
            worst = max(r[5] for r in rows)
            worst_e = max(r[6] for r in rows)
            x_min = min(rows[0][0], x)   # the smaller arm's baseline conversions
            summary.append((rate, split, x_min, worst, worst_e))
            print("//   max error: normal %s, with skewness correction %s"
                  % (mp.nstr(worst, 3), mp.nstr(worst_e, 3)))
            print()
    print("// Summary: max |error| of the normal approximation over the P range above")
    print("//   (share 0.5: P(B>A) in [0.6, 0.99]; other shares: P(B>A) in [0.01, 0.99]).")
    print("//   x = the smaller arm's baseline conversions;")
    print("//   normal error * x ~ const means O(1/x); * sqrt(x) ~ const means O(1/sqrt x).")
    print("//   share = variant share of units")
    for rate, split, x, worst, worst_e in summary:
        print("//   rate %-5s share %-3s x %6d: normal %-9s (x*err %-7s sqrt(x)*err %-7s)"
              "  skew-corrected %-9s (x*err %s)"
              % (rate, split, x, mp.nstr(worst, 3), mp.nstr(x * worst, 3),
                 mp.nstr(mp.sqrt(x) * worst, 3), mp.nstr(worst_e, 3), mp.nstr(x * worst_e, 3)))


if __name__ == "__main__":
    main()
