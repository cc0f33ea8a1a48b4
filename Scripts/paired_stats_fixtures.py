#!/usr/bin/env python3
"""Reference values for the demo's statistics (issue 16, item 3), computed with SciPy.

Writes Tests/Fixtures/stats/paired_stats.json:
- "mcnemar": exact McNemar / sign test on discordant pairs (b, c): the two-sided exact binomial
  p-value of min(b, c) successes in b + c trials at p = 0.5, from scipy.stats.binomtest
  (its "minlike" two-sided rule; for p = 0.5 it equals min(1, 2 * P(X <= min(b, c)))).
- "wilson": 95% Wilson score intervals from scipy.stats.binomtest(k, n).proportion_ci(method="wilson").
- "spread": mean, sample standard deviation (ddof = 1), min and max from the statistics module.

Run: python3 Scripts/paired_stats_fixtures.py   (SciPy >= 1.7)
"""
import json
import os
import statistics

import scipy
from scipy.stats import binomtest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "stats", "paired_stats.json")

MCNEMAR = [(0, 0), (1, 0), (0, 1), (3, 3), (5, 0), (0, 6), (7, 2), (2, 7), (10, 4), (1, 12),
           (25, 14), (40, 60), (120, 95), (300, 250), (600, 450), (1000, 1)]
WILSON = [(0, 1), (1, 1), (0, 40), (40, 40), (1, 40), (2, 40), (20, 40), (7, 120), (113, 120),
          (333, 1000), (1, 3), (59, 360)]
SPREAD = [[0.05], [0.0, 0.0, 0.0], [0.1, 0.25, 0.175], [0.025, 0.5, 0.9, 0.3], [1.0, 0.95]]


def main():
    mcnemar = []
    for b, c in MCNEMAR:
        n = b + c
        p = 1.0 if n == 0 else binomtest(min(b, c), n, 0.5).pvalue
        mcnemar.append({"b": b, "c": c, "p": float(p)})
    wilson = []
    for k, n in WILSON:
        ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        wilson.append({"k": k, "n": n, "low": float(ci.low), "high": float(ci.high)})
    spread = []
    for values in SPREAD:
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        spread.append({"values": values, "mean": statistics.fmean(values), "sd": sd,
                       "min": min(values), "max": max(values)})
    doc = {"scipy": scipy.__version__, "mcnemar": mcnemar, "wilson": wilson, "spread": spread}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
