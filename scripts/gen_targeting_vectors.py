#!/usr/bin/env python3
"""Independent reference for conditions, namespaces, flag rollouts and targeted experiments.

Writes test/fixtures/targeting.json, the golden cases that src/targeting/condition.ts,
src/flags/evaluate.ts, src/evaluation/evaluate.ts, the TypeScript SDK and the Python SDK
(sdk/python) all replay. Written from the specification (docs/contract.md and docs/targeting.md), not
translated from the TypeScript; `$regex` here runs on Python's own `re` (the TypeScript side uses a
non-backtracking engine of its own), so a shared misreading would have to happen twice.
Standard library only.

    python3 scripts/gen_targeting_vectors.py          # rewrite the fixture
    python3 scripts/gen_targeting_vectors.py --check  # exit 1 if the fixture is stale
"""
import json
import re

from golden_common import bucket_bp, fnv1a32, to_bp, write_fixture

# ---- hashing (docs/contract.md) -----------------------------------------------------------------------


def namespace_position(user, key):
    return (fnv1a32(user + "__" + key) % 1000) / 1000


# ---- conditions (docs/targeting.md) ---------------------------------------------------------


def kind(v):
    if v is None:
        return "null"
    if isinstance(v, bool):  # before int: bool is an int in Python, never in JSON
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def units(s):
    """A string as JavaScript sees it: UTF-16 code units, comparable as big-endian bytes."""
    return s.encode("utf-16-be", "surrogatepass")


def same(a, b):
    ka, kb = kind(a), kind(b)
    if ka != kb:
        return False
    if ka == "array":
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if ka == "object":
        return set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    return a == b


def ordered(a, b):
    """-1/0/1 for two numbers or two strings (strings by UTF-16 units); None otherwise."""
    ka, kb = kind(a), kind(b)
    if ka != kb or ka not in ("number", "string"):
        return None
    if ka == "string":
        a, b = units(a), units(b)
    return -1 if a < b else (1 if a > b else 0)


def lookup(attrs, path):
    cur = attrs
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def operator_object(v):
    return isinstance(v, dict) and len(v) > 0 and all(k.startswith("$") for k in v)


# JavaScript's \s in u-mode, spelled out for Python.
JS_SPACE = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"


def js_to_python(pattern):
    """The validated subset of JS u-mode syntax, rewritten where Python's re reads it differently."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            e = pattern[i + 1]
            i += 2
            if e == "s":
                out.append(JS_SPACE if in_class else "[" + JS_SPACE + "]")
            elif e == "B" and not in_class:
                out.append("(?!\\b)")  # Python before 3.14: \B never matches an empty string
            elif e == "S":
                out.append("[^" + JS_SPACE + "]")
            else:
                out.append("\\" + e)
            continue
        i += 1
        if in_class:
            if c == "]":
                in_class = False
            out.append(c)
        elif c == "[":
            in_class = True
            out.append(c)
        elif c == ".":
            out.append("[^\\n\\r\\u2028\\u2029]")  # JS: no line terminator; Python: only \n
        elif c == "$":
            out.append("\\Z")  # Python's $ also matches before a final newline
        else:
            out.append(c)
    return "".join(out)


def regex(pattern, s):
    if len(units(s)) // 2 > 4096:  # UTF-16 code units, as JavaScript counts length
        return False
    return re.search(js_to_python(pattern), s, re.ASCII) is not None


def version_key(v):
    if v == "":
        v = "0"
    v = re.sub(r"^v", "", v)
    v = re.sub(r"\+.*", "", v, flags=re.S)
    parts = re.split(r"[-.]", v)
    if len(parts) == 3:
        parts.append("~")
    return units("-".join(p.rjust(5) if re.fullmatch(r"[0-9]+", p) else p for p in parts))


def version(op, a, b):
    if kind(a) != "string" or kind(b) != "string":
        return False
    x, y = version_key(a), version_key(b)
    return {"$veq": x == y, "$vne": x != y, "$vgt": x > y, "$vgte": x >= y, "$vlt": x < y, "$vlte": x <= y}[op]


def is_in(value, options):
    if kind(value) == "array":
        return any(any(same(v, o) for o in options) for v in value)
    return any(same(value, o) for o in options)


def match_value(cond, value):
    if not operator_object(cond):
        return same(value, cond)
    return all(match_op(op, value, arg) for op, arg in cond.items())


def match_op(op, value, arg):
    if op == "$eq":
        return same(value, arg)
    if op == "$ne":
        return not same(value, arg)
    if op in ("$gt", "$gte", "$lt", "$lte"):
        o = ordered(value, arg)
        if o is None:
            return False
        return {"$gt": o > 0, "$gte": o >= 0, "$lt": o < 0, "$lte": o <= 0}[op]
    if op == "$in":
        return kind(arg) == "array" and is_in(value, arg)
    if op == "$nin":
        return kind(arg) == "array" and not is_in(value, arg)
    if op == "$exists":
        return kind(arg) == "boolean" and (value is not None) == arg
    if op == "$regex":
        return kind(arg) == "string" and kind(value) == "string" and regex(arg, value)
    if op == "$not":
        return not match_value(arg, value)
    if op == "$size":
        return kind(value) == "array" and match_value(arg, len(value))
    if op == "$elemMatch":
        if kind(value) != "array" or kind(arg) != "object":
            return False
        if operator_object(arg):
            return any(match_value(arg, v) for v in value)
        return any(matches(v, arg) for v in value)
    if op == "$all":
        if kind(value) != "array" or kind(arg) != "array":
            return False
        return all(any(match_value(a, v) for v in value) for a in arg)
    if op in ("$veq", "$vne", "$vgt", "$vgte", "$vlt", "$vlte"):
        return version(op, value, arg)
    return False


def matches(attrs, cond):
    if kind(cond) != "object":
        return False
    for key, arg in cond.items():
        if key == "$and":
            ok = kind(arg) == "array" and all(matches(attrs, c) for c in arg)
        elif key == "$or":
            ok = kind(arg) == "array" and (len(arg) == 0 or any(matches(attrs, c) for c in arg))
        elif key == "$nor":
            ok = kind(arg) == "array" and not (len(arg) == 0 or any(matches(attrs, c) for c in arg))
        elif key == "$not":
            ok = kind(arg) == "object" and not matches(attrs, arg)
        else:
            ok = match_value(arg, lookup(attrs, key))
        if not ok:
            return False
    return True


def with_id(attrs, user_id):
    if attrs is None:
        return {"id": user_id}
    if "id" in attrs:
        return attrs
    return dict(attrs, id=user_id)


# ---- flags and experiments --------------------------------------------------------------------


def evaluate_flag(flag, user_id, attrs):
    if not flag["enabled"]:
        return {"value": flag["default_value"], "rule_index": None, "reason": "disabled"}
    for i, rule in enumerate(flag["rules"]):
        if bucket_bp(flag["key"], user_id) >= to_bp(rule["rollout_percentage"]):
            continue
        cond = rule.get("condition")
        if cond is not None and not matches(with_id(attrs, user_id), cond):
            continue
        return {"value": rule["value"], "rule_index": i, "reason": "rule"}
    return {"value": flag["default_value"], "rule_index": None, "reason": "default"}


def evaluate_experiment(exp, user_id, attrs):
    """(variant index, reason) for a running experiment: targeting, namespace, coverage."""
    if exp.get("targeting") is not None and not matches(with_id(attrs, user_id), exp["targeting"]):
        return 0, "targeting"
    ns = exp.get("namespace")
    if ns is not None and not (ns["start"] <= namespace_position(user_id, ns["key"]) < ns["end"]):
        return 0, "namespace"
    i = covered_variant(exp, user_id)
    return (0, "coverage") if i is None else (i, None)


def covered_variant(exp, user_id):
    """The index of the variant whose covered slice holds the user's bucket, or None."""
    b, c, start = bucket_bp(exp["seed"], user_id), to_bp(exp["coverage"]), 0
    for i, pct in enumerate(exp["percentages"]):
        p = to_bp(pct)
        if start <= b and (b - start) * 10000 < c * p:
            return i
        start += p
    return None


def evaluate_exposed(exp, user_id, attrs, shown):
    """As evaluate_experiment for a user the caller says was shown variant key `shown` before.
    Targeting decides who enters, never takes a shown user out: one who fails targeting alone
    (the namespace still holds them) stays in when `shown` is still their covered variant; any
    other mismatch is the targeting answer (docs/targeting.md)."""
    index, reason = evaluate_experiment(exp, user_id, attrs)
    if reason != "targeting":
        return index, reason
    ns = exp.get("namespace")
    if ns is not None and not (ns["start"] <= namespace_position(user_id, ns["key"]) < ns["end"]):
        return 0, "targeting"
    i = covered_variant(exp, user_id)
    return (i, None) if i is not None and f"v{i}" == shown else (0, "targeting")


# ---- the cases --------------------------------------------------------------------------------

ATTRIBUTES = [
    {"id": "u1", "country": "US", "age": 30, "premium": True, "tags": ["beta", "mobile"],
     "app": {"version": "2.3.1", "build": 120}, "email": "ana@example.com", "score": 4.5,
     "nothing": None, "langs": [{"code": "en", "level": 3}, {"code": "fr", "level": 1}],
     "empty": [], "zero": 0, "name": "José"},
    {"id": "u2", "country": "CA", "age": "30", "premium": False, "tags": "beta",
     "app": {"version": "v2.10.0-rc.1+build.7"}, "email": "BOB@EXAMPLE.COM", "score": 10,
     "langs": [], "zero": False},
    {},
    {"id": "u3", "country": None, "age": 17, "tags": ["alpha"], "app": "2.3.1",
     "email": "carol@test.org\n", "nested": {"a": {"b": {"c": 5}}}, "score": -1,
     "name": "😀 emoji"},
    {"country": ["US", "GB"], "age": 65.5, "premium": "true", "tags": [1, 2, "3"],
     "app": {"version": "10.0.0"}, "obj": {"x": 1, "y": [1, 2]}, "langs": [{"code": "de"}],
     "name": "Zoë", "email": "dave@sub.example.com"},
    {"id": 42, "age": 0, "tags": [[1, 2], [3]], "app": {"version": "1.2"}, "email": "",
     "score": 1000, "obj": {"y": [1, 2], "x": 1}, "nested": {"a": [{"b": 1}]}},
]

CONDITIONS = [
    {},
    {"country": "US"},
    {"country": {"$eq": "US"}},
    {"country": {"$ne": "US"}},
    {"country": None},
    {"country": {"$eq": None}},
    {"age": 30},
    {"age": "30"},
    {"age": {"$gt": 29}},
    {"age": {"$gte": 30}},
    {"age": {"$lt": 30}},
    {"age": {"$lte": 17}},
    {"age": {"$gt": "29"}},
    {"age": {"$gt": 18, "$lt": 65}},
    {"score": {"$gte": 4.5}},
    {"name": {"$gt": "Jos"}},
    {"name": {"$lt": "\uffff"}},
    {"country": {"$in": ["US", "CA"]}},
    {"country": {"$in": []}},
    {"country": {"$nin": ["US", "CA"]}},
    {"country": {"$in": [None]}},
    {"tags": {"$in": ["beta"]}},
    {"tags": {"$nin": ["beta"]}},
    {"tags": {"$in": [1, "alpha"]}},
    {"tags": {"$in": [[1, 2]]}},
    {"premium": True},
    {"premium": {"$eq": True}},
    {"premium": {"$ne": False}},
    {"premium": {"$exists": True}},
    {"premium": {"$exists": False}},
    {"nothing": {"$exists": False}},
    {"zero": {"$exists": True}},
    {"zero": 0},
    {"zero": False},
    {"app.version": "2.3.1"},
    {"app.version": {"$vgte": "2.0.0"}},
    {"app.version": {"$vlt": "2.10.0"}},
    {"app.build": {"$gte": 100}},
    {"app.missing.deeper": {"$exists": False}},
    {"nested.a.b.c": 5},
    {"nested.a.b": {"c": 5}},
    {"nested.a.b": {"$eq": {"c": 5}}},
    {"nested.a.0.b": 1},
    {"obj": {"x": 1, "y": [1, 2]}},
    {"obj": {"y": [1, 2], "x": 1}},
    {"obj.y": [1, 2]},
    {"obj.y": [2, 1]},
    {"email": {"$regex": "@example\\.com$"}},
    {"email": {"$regex": "^[a-z]+@"}},
    {"email": {"$regex": "org$"}},
    {"email": {"$regex": "EXAMPLE"}},
    {"age": {"$regex": "3"}},
    {"tags": {"$size": 2}},
    {"tags": {"$size": 0}},
    {"tags": {"$size": {"$gt": 1}}},
    {"empty": {"$size": 0}},
    {"tags": {"$all": ["beta", "mobile"]}},
    {"tags": {"$all": ["beta", "desktop"]}},
    {"tags": {"$all": []}},
    {"tags": {"$all": [{"$regex": "^b"}]}},
    {"langs": {"$elemMatch": {"code": "fr", "level": {"$gte": 1}}}},
    {"langs": {"$elemMatch": {"code": "en", "level": {"$gt": 5}}}},
    {"tags": {"$elemMatch": {"$eq": "alpha"}}},
    {"tags": {"$elemMatch": {"$gt": 1}}},
    {"tags": {"$elemMatch": {"$size": 1}}},
    {"country": {"$not": {"$in": ["US"]}}},
    {"country": {"$not": "US"}},
    {"age": {"$not": {"$gt": 20}}},
    {"$and": [{"country": "US"}, {"age": {"$gte": 18}}]},
    {"$or": [{"country": "CA"}, {"premium": True}]},
    {"$or": []},
    {"$nor": [{"country": "CA"}, {"premium": True}]},
    {"$nor": []},
    {"$and": []},
    {"$not": {"country": "US"}},
    {"$not": {"$or": [{"age": {"$lt": 18}}, {"age": {"$gt": 60}}]}},
    {"country": "US", "age": {"$gte": 18}, "tags": {"$in": ["beta"]}},
    {"$or": [{"$and": [{"country": "US"}, {"premium": True}]}, {"score": {"$gte": 10}}]},
    {"id": "u1"},
    {"id": {"$in": ["u2", 42]}},
    {"id": {"$exists": True}},
    {"name": {"$regex": "^.{1,4}$"}},
    {"name": {"$regex": "^\\S+ \\w+$"}},
    {"email": {"$ne": None}},
    {"constructor": {"$exists": True}},
    {"country.length": {"$exists": True}},
    {"tags.length": 2},
]

VERSION_PAIRS = [
    ("1.0.0", "1.0.0"), ("1.0.0", "1.0.1"), ("1.2.0", "1.10.0"), ("v1.2.3", "1.2.3"),
    ("1.0.0-beta", "1.0.0"), ("1.0.0-alpha", "1.0.0-beta"), ("1.0.0-beta.2", "1.0.0-beta.11"),
    ("1.0.0+build.5", "1.0.0"), ("2", "10"), ("1.2", "1.2.0"), ("10.0.0", "9.99.99"),
    ("1.0.0-rc.1", "1.0.0-rc.1+build.9"), ("", "0.0.1"), ("0.0.0", ""),
    # A build part runs to the end even across line terminators (an outside fuzz: the TypeScript
    # key kept "+build\n.9", whose "." then split it, and "+\n" sorted above "2").
    ("1.0.0+build\n.9", "1.0.0"), ("1.0.0+a\u2028b", "1.0.0"), ("+\n", "2"),
]
VERSION_OPS = ["$veq", "$vne", "$vgt", "$vgte", "$vlt", "$vlte"]

REGEX_CASES = [
    ("^abc", "abcdef"), ("^abc", "xabc"), ("def$", "abcdef"), ("def$", "abcdef\n"),
    ("a.c", "a\nc"), ("a.c", "a\rc"), ("a.c", "abc"), ("^.$", "😀"), ("^..$", "😀"),
    ("\\d{3}", "ab123"), ("^\\d+$", "١٢٣"), ("\\w+", "éé"), ("^\\w+$", "user_1"),
    ("\\s", "a\u00a0b"), ("\\s", "a\u0085b"), ("\\s", "a\ufeffb"), ("^\\S+$", "no-space"),
    ("\\bcat\\b", "a cat."), ("\\bcat\\b", "concatenate"), ("\\Bcat", "concat"),
    ("colou?r", "color"), ("colou?r", "colour"), ("^(?:com|org|net)$", "org"),
    ("^(?:com|org|net)$", "edu"), ("^[a-f0-9]{8}$", "deadbeef"), ("^[a-f0-9]{8}$", "deadbeeg"),
    ("^[^@]+@[^@]+$", "a@b"), ("^[^@]+@[^@]+$", "a@b@c"), ("[\\-+]", "1-2"),
    ("^a{2,3}$", "aaaa"), ("^a{2,}$", "aaaa"), ("^(?:ab)?c$", "c"), ("^x*?y$", "xxy"),
    ("\\.", "a.b"), ("\\.", "ab"), ("[.]", "a.b"), ("[$]", "$5"), ("\\$", "5$"), ("^$", ""),
    ("", "anything"), ("a|b", "zzb"), ("^(a|b)$", "ab"), ("\\/", "a/b"),
    ("Chrome/\\d+", "Mozilla/5.0 Chrome/120.0"), ("^[A-Z]", "lower"), ("[\\s,]", "a,b"),
    ("a", "x" * 4096 + "a"), ("a", "x" * 4095 + "a"),
]


def condition_cases():
    out = []
    for ci, cond in enumerate(CONDITIONS):
        for ai, attrs in enumerate(ATTRIBUTES):
            out.append({"name": f"c{ci}/a{ai}", "condition": cond, "attributes": attrs, "match": matches(attrs, cond)})
    for a, b in VERSION_PAIRS:
        for op in VERSION_OPS:
            cond = {"v": {op: b}} if b != "" else {"v": {op: "0"}}
            attrs = {"v": a}
            out.append({"name": f"version {a!r} {op} {cond['v'][op]!r}", "condition": cond, "attributes": attrs,
                        "match": matches(attrs, cond)})
    for non_string in [2, None, ["1.0.0"]]:
        cond, attrs = {"v": {"$vgte": "1.0.0"}}, {"v": non_string}
        out.append({"name": f"version of a {kind(non_string)}", "condition": cond, "attributes": attrs,
                    "match": matches(attrs, cond)})
    for pattern, s in REGEX_CASES:
        cond, attrs = {"s": {"$regex": pattern}}, {"s": s}
        label = s if len(s) < 40 else f"{len(s)} characters"
        out.append({"name": f"regex {pattern!r} on {label!r}", "condition": cond, "attributes": attrs,
                    "match": matches(attrs, cond)})
    return out


# Conditions the validator must refuse, with the path of the (first) problem. Hand-written: the
# reference evaluator above is total and has no notion of validity.
INVALID = [
    ([], []), ("x", []), ({"$gt": 1}, ["$gt"]), ({"$or": []}, ["$or"]), ({"$and": {"a": 1}}, ["$and"]),
    ({"$or": [{"a": 1}, 3]}, ["$or", 1]), ({"$not": [1]}, ["$not"]), ({"a": {"$foo": 1}}, ["a", "$foo"]),
    ({"a": {"$gt": 1, "b": 2}}, ["a"]), ({"a": {"$in": "US"}}, ["a", "$in"]), ({"a": {"$nin": 1}}, ["a", "$nin"]),
    ({"a": {"$all": {"x": 1}}}, ["a", "$all"]), ({"a": {"$exists": 1}}, ["a", "$exists"]),
    ({"a": {"$gt": None}}, ["a", "$gt"]), ({"a": {"$lt": [1]}}, ["a", "$lt"]), ({"a": {"$size": -1}}, ["a", "$size"]),
    ({"a": {"$size": 1.5}}, ["a", "$size"]), ({"a": {"$elemMatch": 1}}, ["a", "$elemMatch"]),
    ({"a": {"$vgt": 2}}, ["a", "$vgt"]), ({"a": {"$veq": ""}}, ["a", "$veq"]), ({"a": {"$regex": 5}}, ["a", "$regex"]),
    ({"a": {"$regex": "(a+)+$"}}, ["a", "$regex"]), ({"a": {"$regex": "(a|aa)*b"}}, ["a", "$regex"]),
    ({"a": {"$regex": "(\\w+\\s?)*$"}}, ["a", "$regex"]), ({"a": {"$regex": "(.*a){20}"}}, ["a", "$regex"]),
    ({"a": {"$regex": "(a)\\1"}}, ["a", "$regex"]), ({"a": {"$regex": "(?=a)"}}, ["a", "$regex"]),
    ({"a": {"$regex": "(?<n>a)"}}, ["a", "$regex"]), ({"a": {"$regex": "["}}, ["a", "$regex"]),
    ({"a": {"$regex": "a{1000}"}}, ["a", "$regex"]), ({"a": {"$regex": "x" * 300}}, ["a", "$regex"]),
    ({"a": {"$regex": "\\p{L}"}}, ["a", "$regex"]), ({"a": {"$regex": "a{,3}"}}, ["a", "$regex"]),
    ({"a": {"$regex": "]"}}, ["a", "$regex"]), ({"a": {"$regex": "a**"}}, ["a", "$regex"]),
    ({"a..b": 1}, ["a..b"]), ({"": 1}, [""]), ({"a": {"$not": {"$bad": 1}}}, ["a", "$not", "$bad"]),
    ({"$and": [{"a": {"$in": 1}}]}, ["$and", 0, "a", "$in"]),
    ({"a": {"$elemMatch": {"b": {"$regex": "(x+)+"}}}}, ["a", "$elemMatch", "b", "$regex"]),
]


def deep(n):
    c = {"leaf": 1}
    for _ in range(n):
        c = {"$and": [c]}
    return c


def invalid_cases():
    out = [{"condition": c, "path": p} for c, p in INVALID]
    out.append({"condition": deep(20), "path": []})
    out.append({"condition": {"a": {"$in": list(range(2000))}}, "path": []})
    return out


FLAGS = [
    {"key": "new_checkout", "value_type": "boolean", "default_value": False, "enabled": True,
     "rules": [{"condition": {"country": "US"}, "rollout_percentage": 50, "value": True}]},
    {"key": "banner", "value_type": "string", "default_value": "none", "enabled": True,
     "rules": [{"condition": {"premium": True}, "rollout_percentage": 100, "value": "gold"},
               {"condition": None, "rollout_percentage": 30, "value": "blue"}]},
    {"key": "limit", "value_type": "number", "default_value": 10, "enabled": False,
     "rules": [{"rollout_percentage": 100, "value": 99}]},
    {"key": "layout", "value_type": "json", "default_value": {"cols": 1}, "enabled": True,
     "rules": [{"condition": {"app.version": {"$vgte": "2.0.0"}}, "rollout_percentage": 10, "value": {"cols": 3}},
               {"condition": {"tags": {"$in": ["beta"]}}, "rollout_percentage": 100, "value": {"cols": 2}}]},
    {"key": "dark_launch", "value_type": "boolean", "default_value": False, "enabled": True,
     "rules": [{"condition": None, "rollout_percentage": 0, "value": True}]},
    {"key": "fractional", "value_type": "string", "default_value": "c", "enabled": True,
     "rules": [{"rollout_percentage": 33.33, "value": "a"}, {"rollout_percentage": 66.67, "value": "b"}]},
    {"key": "allow_list", "value_type": "boolean", "default_value": False, "enabled": True,
     "rules": [{"condition": {"id": {"$in": ["user_3", "user_7", "vip"]}}, "rollout_percentage": 100, "value": True}]},
    {"key": "no_rules", "value_type": "number", "default_value": 1.5, "enabled": True, "rules": []},
    {"key": "email_domain", "value_type": "string", "default_value": "other", "enabled": True,
     "rules": [{"condition": {"email": {"$regex": "@example\\.com$"}}, "rollout_percentage": 100, "value": "internal"},
               {"condition": {"$or": [{"age": {"$lt": 18}}, {"age": {"$exists": False}}]},
                "rollout_percentage": 75.5, "value": "young_or_unknown"}]},
]

USERS = []
for k in range(24):
    attrs = None if k % 6 == 5 else {
        "country": ["US", "CA", "GB", None][k % 4], "premium": k % 3 == 0,
        "app": {"version": ["1.9.9", "2.0.0", "2.10.1-beta"][k % 3]}, "tags": ["beta"] if k % 5 == 0 else [],
        "email": f"user{k}@example.com" if k % 4 == 0 else f"user{k}@mail.test", "age": 10 + 3 * k,
    }
    if k == 9:
        attrs = dict(attrs, id="vip")  # an explicit id wins over the user id
    USERS.append({"user_id": f"user_{k}", "attributes": attrs})
USERS.append({"user_id": "José", "attributes": {"country": "US"}})
USERS.append({"user_id": "😀", "attributes": {}})


def flag_cases():
    return [{"flag": f, "user_id": u["user_id"], "attributes": u["attributes"],
             "result": evaluate_flag(f, u["user_id"], u["attributes"])}
            for f in FLAGS for u in USERS]


NAMESPACES = [("checkout", 0, 0.5), ("checkout", 0.5, 1), ("pricing", 0.25, 0.75), ("layer-Ü", 0.1, 0.2)]


def namespace_cases():
    out = []
    for i in range(30):
        for key, start, end in NAMESPACES:
            user = f"user_{i}" if i < 27 else ["José", "😀", ""][i - 27]
            n = namespace_position(user, key)
            out.append({"user_id": user, "namespace": {"key": key, "start": start, "end": end},
                        "fnv1a32": fnv1a32(user + "__" + key), "position": n, "in_namespace": start <= n < end})
    return out


EXPERIMENTS = [
    {"seed": "checkout_v2", "coverage": 100, "percentages": [50, 50],
     "targeting": {"country": {"$in": ["US", "CA"]}}, "namespace": None},
    {"seed": "pricing", "coverage": 50, "percentages": [34, 33, 33],
     "targeting": None, "namespace": {"key": "checkout", "start": 0, "end": 0.5}},
    {"seed": "layout", "coverage": 80, "percentages": [50, 50],
     "targeting": {"app.version": {"$vgte": "2.0.0"}, "premium": {"$ne": True}},
     "namespace": {"key": "checkout", "start": 0.5, "end": 1}},
    {"seed": "by_id", "coverage": 100, "percentages": [10, 90], "targeting": {"id": {"$regex": "^user_1"}},
     "namespace": None},
]


def experiment_cases():
    out = []
    for e in EXPERIMENTS:
        for u in USERS:
            index, reason = evaluate_experiment(e, u["user_id"], u["attributes"])
            out.append({"experiment": e, "user_id": u["user_id"], "attributes": u["attributes"],
                        "variant_index": index, "in_experiment": reason is None, "reason": reason})
    return out


def exposed_cases():
    """Each experiment and user with an earlier answer: the control, the first treatment, and a
    key no variant has (ignored). Variants are keyed v0 (control), v1, ..."""
    out = []
    for e in EXPERIMENTS:
        for u in USERS:
            for shown in ("v0", "v1", "v9"):
                index, reason = evaluate_exposed(e, u["user_id"], u["attributes"], shown)
                out.append({"experiment": e, "user_id": u["user_id"], "attributes": u["attributes"],
                            "exposed": shown, "variant_index": index, "in_experiment": reason is None,
                            "reason": reason})
    return out


def self_check():
    # Facts from the specification, checked by hand, so that a slip in the reference shows here.
    assert fnv1a32("foobar") == 0xBF9CF968
    assert not matches({"age": "30"}, {"age": {"$gt": 29}})  # no coercion
    assert matches({}, {"x": None}) and matches({}, {"x": {"$exists": False}})
    assert matches({"t": ["a", "b"]}, {"t": {"$in": ["b"]}})
    assert not matches({"a": 1}, {"$or": [{"a": 2}]}) and matches({}, {"$or": []}) and not matches({}, {"$nor": []})
    assert version("$vgt", "1.0.0", "1.0.0-beta") and version("$vlt", "1.2.0", "1.10.0")
    assert version("$veq", "v1.2.3+build", "1.2.3")
    assert not regex("a$", "a\n") and regex("^.$", "😀") and not regex("\\s", "\u0085")
    assert regex("\\B", "") and not regex("\\B", "a") and regex("a\\Bb", "ab")  # no boundary in ""
    assert matches({"b": True}, {"b": True}) and not matches({"b": 1}, {"b": True})
    assert not matches({"n": 1}, {"n": True}) and not matches({"n": True}, {"n": 1})  # Python: True == 1
    # Raising a rollout never takes a value away.
    for k in range(2000):
        u = f"r{k}"
        if bucket_bp("f", u) < to_bp(10):
            assert bucket_bp("f", u) < to_bp(50)


def render():
    self_check()
    conditions = condition_cases()
    doc = {
        "description": (
            "Golden targeting cases from scripts/gen_targeting_vectors.py (independent Python reference). "
            "conditions: does `attributes` match `condition`; invalid: conditions the validator refuses "
            "(path of the first problem); flags: evaluation result; namespaces: GrowthBook's namespace hash; "
            "experiments: running experiments with targeting, namespace and coverage; exposed: the same with the "
            "user's earlier answer (`exposed`), which keeps a user who now fails targeting only in their variant. "
            "See docs/targeting.md."
        ),
        "conditions": conditions,
        "invalid": invalid_cases(),
        "flags": flag_cases(),
        "namespaces": namespace_cases(),
        "experiments": experiment_cases(),
        "exposed": exposed_cases(),
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def main():
    text = render()
    doc = json.loads(text)
    matched = sum(c["match"] for c in doc["conditions"])
    write_fixture(
        "targeting.json",
        text,
        lambda path: f"wrote {path}: {len(doc['conditions'])} condition cases ({matched} match), "
        f"{len(doc['invalid'])} invalid, {len(doc['flags'])} flag, {len(doc['namespaces'])} namespace, "
        f"{len(doc['experiments'])} experiment, {len(doc['exposed'])} exposed cases",
    )


if __name__ == "__main__":
    main()
