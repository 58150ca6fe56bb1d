"""Reference values for the alerting pure modules (test/unit/alerting.golden.test.ts).

Independent of the TypeScript: Python's hmac/hashlib for webhook signatures, numpy for the robust
z-score (median and MAD, with the mean-absolute-deviation fallback when MAD is 0).
Run: python3 scripts/gen_alerting_golden.py > test/fixtures/alerting-golden.json
"""
import hashlib
import hmac
import json

import numpy as np

rng = np.random.default_rng(20261202)

signatures = []
for secret, t, body in [
    ("whsec_test", 1700000000, '{"id":"d1","event":"opened"}'),
    ("s3cr3t", 0, ""),
    ("whsec_" + "ab" * 32, 1893456000, json.dumps({"alert": {"title": "p95 > 200 ms — café"}}, ensure_ascii=False)),
    ("ключ", 1234567890, "line1\nline2\r\n\t"),
]:
    digest = hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
    signatures.append({"secret": secret, "t": t, "body": body, "header": f"t={t},v1={digest}"})


def robust_z(value, baseline):
    b = np.asarray(baseline, dtype=float)
    med = float(np.median(b))
    dev = np.abs(b - med)
    scale = 1.4826 * float(np.median(dev))
    if scale == 0:
        scale = 1.2533 * float(np.mean(dev))
    diff = value - med
    if scale == 0:
        return 0.0 if diff == 0 else ("inf" if diff > 0 else "-inf")
    return diff / scale


zcases = []
for n in (3, 4, 5, 30, 31, 100):
    baseline = rng.normal(100, 7, n).round(6).tolist()
    for value in (100.0, 150.0, 60.5):
        zcases.append({"value": value, "baseline": baseline, "z": robust_z(value, baseline)})
# MAD = 0 (more than half equal) falls back to the mean absolute deviation; constant is infinite.
for baseline, value in (([5, 5, 5, 5, 9], 7.0), ([5, 5, 5, 1, 9, 5, 5], 2.0), ([3, 3, 3], 3.0), ([3, 3, 3], 4.0), ([3, 3, 3], 2.0)):
    zcases.append({"value": value, "baseline": baseline, "z": robust_z(value, baseline)})

print(json.dumps({"signatures": signatures, "robust_z": zcases}, ensure_ascii=False, indent=1))
