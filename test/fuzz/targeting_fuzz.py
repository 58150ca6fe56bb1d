#!/usr/bin/env python3
"""The Python half of the targeting differential fuzz (test/fuzz/targeting-fuzz.ts starts it).

Reads one JSON case per line on stdin and writes one JSON answer per line on stdout, flushed, so the
TypeScript side can also keep it open and ask about one case at a time while it minimises. Each
case is answered by the Python SDK (sdk/python: the pure function and its client) and, when the
server would store it (`accepted`, decided by the TypeScript side), by the independent reference
scripts/gen_targeting_vectors.py, which writes the golden file and has no notion of validity.

    {"kind": "condition", "condition": {...}, "attributes": {...}, "accepted": true | false}
    {"kind": "flag", "flag": {...}, "user_id": "...", "attributes": {...} | absent, "accepted": ...}
    {"kind": "experiment", "experiment": {...}, "user_id": "...", "attributes": ..., "exposed": "v1" | absent,
     "accepted": ...}

An exception in an evaluator is an answer too ({"error": "..."}), never a crash of the run.
"""
import json
import re
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "sdk" / "python"))
sys.path.insert(0, str(ROOT / "scripts"))

from edge_experiments import ExperimentClient, evaluate_condition, evaluate_experiment, evaluate_flag  # noqa: E402

import gen_targeting_vectors as ref  # noqa: E402

# Python warns (FutureWarning) about class contents such as "!--" that a later version may read as
# set operations; the meaning today is the one compared.
warnings.simplefilter("ignore")


def guarded(fn):
    try:
        return fn()
    except Exception as err:  # noqa: BLE001 - any exception is a finding, reported as such
        return {"error": "%s: %s" % (type(err).__name__, err)}


def reference(case, answer):
    """The reference's answer ({"ref": ...}) for a case the server would store; none otherwise."""
    return {"ref": guarded(answer)} if case["accepted"] else {}


def patterns(condition, out):
    """Every $regex argument (a string) anywhere in the condition."""
    if isinstance(condition, dict):
        for k, v in condition.items():
            if k == "$regex" and isinstance(v, str):
                out.append(v)
            else:
                patterns(v, out)
    elif isinstance(condition, list):
        for v in condition:
            patterns(v, out)
    return out


def compiles(pattern, translate):
    try:
        re.compile(translate(pattern), re.ASCII)
        return True
    except re.error:
        return False


def condition_answer(case):
    cond, attrs = case["condition"], case["attributes"]
    # The client path, as the golden replay does it: a one-variant experiment for "someone", whose
    # attributes carry an explicit id (null when the case has none) so none is defaulted.
    client_attrs = attrs if "id" in attrs else dict(attrs, id=None)
    exp = {"id": "e", "key": "e", "status": "running", "seed": "e", "coverage": 100, "winner_variant_id": None,
           "targeting": cond, "namespace": None,
           "variants": [{"id": "v0", "key": "v0", "variant_name": "V0", "variant_type": "control",
                         "model_version": None, "config": {}, "traffic_percentage": 100}]}

    def client():
        a = ExperimentClient("https://x.test", "t", initial_config={"experiments": [exp]}).get_variant("e", "someone", client_attrs)
        return a["in_experiment"]

    # Patterns Python's re refuses once the reference translates them: a slip in js_to_python, which
    # the reference uses to classify characters (one atom at a time) and to check its golden regexes.
    # Both the SDK and the reference search with NFAs of their own, never with re.
    bad = [p for p in patterns(cond, []) if not compiles(p, ref.js_to_python)]
    return {"sdk": guarded(lambda: evaluate_condition(attrs, cond)), "client": guarded(client),
            **reference(case, lambda: ref.matches(attrs, cond)), "re_refused": bad}


def flag_answer(case):
    flag, user, attrs = case["flag"], case["user_id"], case.get("attributes")
    client = ExperimentClient("https://x.test", "t", initial_config={"experiments": [], "flags": [flag]})
    return {"sdk": guarded(lambda: evaluate_flag(flag, user, attrs)),
            "client": guarded(lambda: client.get_flag(flag["key"], user, attrs)),
            "client_all": guarded(lambda: client.get_flags(user, attrs)[flag["key"]]),
            **reference(case, lambda: ref.evaluate_flag(dict(flag, rules=[dict(r) for r in flag["rules"]]),
                                                        user, attrs))}


def short(answer):
    if answer is None:
        return None
    return {"variant_key": answer["variant_key"], "in_experiment": answer["in_experiment"], "reason": answer["reason"]}


def reference_experiment(e, user, attrs, exposed):
    """The reference handles running experiments with the control first, variants v0, v1, ..."""
    if e["status"] != "running" or e["variants"][0]["variant_type"] != "control":
        return None
    r = {"seed": e["seed"], "coverage": e["coverage"], "percentages": [v["traffic_percentage"] for v in e["variants"]],
         "targeting": e["targeting"], "namespace": e["namespace"]}
    index, reason = (ref.evaluate_experiment(r, user, attrs) if exposed is None
                     else ref.evaluate_exposed(r, user, attrs, exposed))
    return {"variant_key": "v%d" % index, "in_experiment": reason is None, "reason": reason}


def experiment_answer(case):
    e, user, attrs, exposed = case["experiment"], case["user_id"], case.get("attributes"), case.get("exposed")
    running = e["status"] in ("running", "draft")
    config = {"experiments": [e] if running else [], "stopped_experiments": [] if running else [e]}
    client = ExperimentClient("https://x.test", "t", initial_config=config)
    return {"sdk": guarded(lambda: short(evaluate_experiment(e, user, attrs, exposed))),
            "client": guarded(lambda: short(client.get_variant(e["key"], user, attrs,
                                                               None if exposed is None else {e["key"]: exposed}))),
            **reference(case, lambda: reference_experiment(e, user, attrs, exposed))}


ANSWER = {"condition": condition_answer, "flag": flag_answer, "experiment": experiment_answer}


def plain(v):
    """Answers as strict JSON: a non-finite float (a flag value of type json may hold one) as its name."""
    if isinstance(v, float) and v != v:
        return "NaN"
    if isinstance(v, float) and v in (float("inf"), float("-inf")):
        return "Infinity" if v > 0 else "-Infinity"
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def main():
    # Surrogates pass through both ways: JavaScript strings may hold lone ones.
    stdin = open(sys.stdin.fileno(), encoding="utf-8", errors="surrogatepass", closefd=False)
    for line in stdin:
        case = json.loads(line)
        sys.stdout.write(json.dumps(plain(ANSWER[case["kind"]](case)), allow_nan=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
