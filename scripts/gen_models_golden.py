"""Reference values for model monitoring (test/integration/streaming-models.test.ts).

Independent of the TypeScript: numpy draws the predictions and computes the exact statistics the
API estimates. Quantiles use the nearest-rank definition the API documents (numpy's
`method="inverted_cdf"`: the value at rank ceil(q * n)); means, minima and maxima are exact.
Run: python3 scripts/gen_models_golden.py  (or --check to verify test/fixtures/models-golden.json).
"""
import json

import numpy as np

from golden_common import write_fixture

rng = np.random.default_rng(20261203)

CONFIDENCE_Q = {"p10": 10, "p25": 25, "p50": 50, "p75": 75, "p90": 90}
LATENCY_Q = {"p50": 50, "p95": 95, "p99": 99}


def quantiles(values, named):
    return {k: float(np.percentile(values, q, method="inverted_cdf")) for k, q in named.items()}


versions = []
# A canary: v2 is less sure of itself and slower; the unversioned traffic sends no latency.
for version, n, (a, b), latency in (("v1", 1500, (8, 2), (3.0, 0.4)), ("v2", 500, (4, 2), (3.4, 0.6)), (None, 200, (2, 2), None)):
    confidence = rng.beta(a, b, n).round(6)
    lat = None if latency is None else rng.lognormal(latency[0], latency[1], n).round(3)
    entry = {
        "model_version": version,
        "confidence": confidence.tolist(),
        "latency_ms": None if lat is None else lat.tolist(),
        "expected": {
            "predictions": n,
            "confidence": {
                "mean": float(np.mean(confidence)),
                "min": float(np.min(confidence)),
                "max": float(np.max(confidence)),
                "quantiles": quantiles(confidence, CONFIDENCE_Q),
            },
            "latency_ms": None
            if lat is None
            else {
                "count": n,
                "mean": float(np.mean(lat)),
                "max": float(np.max(lat)),
                "quantiles": quantiles(lat, LATENCY_Q),
            },
        },
    }
    versions.append(entry)

write_fixture(
    "models-golden.json",
    json.dumps({"model_name": "churn", "versions": versions}) + "\n",
    lambda path: f"wrote {path}: {len(versions)} versions, {sum(len(v['confidence']) for v in versions)} predictions",
)
