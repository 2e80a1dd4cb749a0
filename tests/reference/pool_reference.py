"""Reference values for gemba's pooling of one metric across experiments
(src/stats/pool.rs): the fixed-effect inverse-variance method on the log
ratio of the arms, Cochran's Q and I², computed here independently with
numpy and scipy from the textbook formulas (Borenstein, Hedges, Higgins
and Rothstein, *Introduction to Meta-Analysis*, 2009, ch. 11 and 16).

Run: python3 tests/reference/pool_reference.py
"""
import numpy as np
from scipy import stats


def log_ratio_study(nc, xc, nv, xv):
    pc, pv = xc / nc, xv / nv
    y = np.log(pv / pc)
    v = (1 - pc) / (nc * pc) + (1 - pv) / (nv * pv)
    return y, v


def pool(studies):
    y = np.array([s[0] for s in studies])
    v = np.array([s[1] for s in studies])
    w = 1 / v
    est = np.sum(w * y) / np.sum(w)
    se = np.sqrt(1 / np.sum(w))
    z = stats.norm.ppf(0.975)
    q = np.sum(w * (y - est) ** 2)
    df = len(studies) - 1
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    return {
        "lift": np.expm1(est),
        "ci": (np.expm1(est - z * se), np.expm1(est + z * se)),
        "q": q,
        "i2": i2,
    }


if __name__ == "__main__":
    agree = [
        log_ratio_study(10_000, 500, 10_000, 560),
        log_ratio_study(4_000, 180, 4_000, 215),
        log_ratio_study(25_000, 1_300, 25_000, 1_390),
    ]
    print("three that agree:", {k: repr(v) for k, v in pool(agree).items()})
    apart = [
        log_ratio_study(10_000, 500, 10_000, 650),
        log_ratio_study(10_000, 500, 10_000, 470),
    ]
    print("two apart:", {k: repr(v) for k, v in pool(apart).items()})
