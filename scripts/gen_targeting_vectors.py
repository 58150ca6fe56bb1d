#!/usr/bin/env python3
"""Independent reference for conditions, namespaces, flag rollouts and targeted experiments.

Writes test/fixtures/targeting.json, the golden cases that src/targeting/condition.ts,
src/flags/evaluate.ts, src/evaluation/evaluate.ts, the TypeScript SDK and the Python SDK
(sdk/python) all replay. Written from the specification (docs/contract.md and docs/targeting.md), not
translated from the TypeScript. `$regex` runs on this file's own NFA search (`nfa_search`, written from
docs/targeting.md 2.1, not from the server's or the SDK's engine), with Python's `re` deciding only
which character one atom accepts; every golden regex answer is also checked against `re` on the
whole pattern (`self_check`), so a shared misreading would have to happen twice. The whole pattern
is never handed to `re` to answer: it backtracks, and patterns the server accepts (`x*x*x+A`,
`a*a*a*a*a*a*b`) take it hours on the 4096 characters a string may have. Standard library only.

    python3 scripts/gen_targeting_vectors.py          # rewrite the fixture
    python3 scripts/gen_targeting_vectors.py --check  # exit 1 if the fixture is stale
"""
import json
import math
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
    """-1/0/1 for two numbers or two strings (strings by UTF-16 units); None otherwise, and for NaN,
    which JavaScript orders against nothing (every $gt/$gte/$lt/$lte on it is false)."""
    ka, kb = kind(a), kind(b)
    if ka != kb or ka not in ("number", "string"):
        return None
    if ka == "string":
        a, b = units(a), units(b)
    return -1 if a < b else 1 if a > b else 0 if a == b else None


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


def regex(pattern, s, meter=None):
    """Whether `pattern` matches anywhere in `s`, by the NFA search below: linear in `s` (at most
    2 x states x (L + 1) steps, counted on `meter` when one is given), where `re` backtracks."""
    if len(units(s)) // 2 > 4096:  # UTF-16 code units, as JavaScript counts length
        return False
    return nfa_search(pattern, s, Meter(math.inf) if meter is None else meter)


def re_search(pattern, s):
    """The same answer from Python's re on the whole pattern: only to check `regex` on the golden
    cases (self_check), whose patterns and strings are fixed and cannot make it backtrack for long."""
    return len(units(s)) // 2 <= 4096 and re.search(js_to_python(pattern), s, re.ASCII) is not None


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
        return any(match_object(v, arg) for v in value)
    if op == "$all":
        if kind(value) != "array" or kind(arg) != "array":
            return False
        return all(any(match_value(a, v) for v in value) for a in arg)
    if op in ("$veq", "$vne", "$vgt", "$vgte", "$vlt", "$vlte"):
        return version(op, value, arg)
    return False


def as_javascript_parses(v):
    """A JSON value as JavaScript holds it once parsed: every number a double. An integer beyond
    2**53 rounds to the nearest double (9007199254740993 is 9007199254740992, the same number), one
    past the largest double is Infinity. The server and the TypeScript SDK only ever see these, so
    the evaluators below compare what this gives, never Python's exact integers."""
    return json.loads(json.dumps(v), parse_int=float)


def matches(attrs, cond):
    """Whether `attrs` satisfy `cond`, both JSON values, numbers compared as JavaScript's."""
    return match_object(as_javascript_parses(attrs), as_javascript_parses(cond))


def match_object(attrs, cond):
    if kind(cond) != "object":
        return False
    for key, arg in cond.items():
        if key == "$and":
            ok = kind(arg) == "array" and all(match_object(attrs, c) for c in arg)
        elif key == "$or":
            ok = kind(arg) == "array" and (len(arg) == 0 or any(match_object(attrs, c) for c in arg))
        elif key == "$nor":
            ok = kind(arg) == "array" and not (len(arg) == 0 or any(match_object(attrs, c) for c in arg))
        elif key == "$not":
            ok = kind(arg) == "object" and not match_object(attrs, arg)
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


def evaluate_flag(flag, user_id, attrs, match=None):
    """A flag's value for the user; `match(attrs, condition)` tests a rule's condition (default:
    `matches`, the plain answer; the budget cases pass `metered`)."""
    match = match or matches
    if not flag["enabled"]:
        return {"value": flag["default_value"], "rule_index": None, "reason": "disabled"}
    for i, rule in enumerate(flag["rules"]):
        if bucket_bp(flag["key"], user_id) >= to_bp(rule["rollout_percentage"]):
            continue
        cond = rule.get("condition")
        if cond is not None and not match(with_id(attrs, user_id), cond):
            continue
        return {"value": rule["value"], "rule_index": i, "reason": "rule"}
    return {"value": flag["default_value"], "rule_index": None, "reason": "default"}


def evaluate_experiment(exp, user_id, attrs, match=None):
    """(variant index, reason) for a running experiment: targeting, namespace, coverage."""
    match = match or matches
    if exp.get("targeting") is not None and not match(with_id(attrs, user_id), exp["targeting"]):
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


# ---- the step budget (docs/targeting.md, 2.1) -------------------------------------------------
# A second evaluator that also counts steps, written from the documented rule. `matches` above stays
# the plain answer; for a case that stays within its budget the two must agree (checked below).


class OutOfSteps(Exception):
    pass


class Meter:
    """`given` steps; the (given + 1)-th stops the evaluation. `used` never exceeds `given`."""

    def __init__(self, given):
        self.given, self.used = given, 0

    def step(self):
        if self.used >= self.given:
            raise OutOfSteps
        self.used += 1

    @property
    def left(self):
        """What the TypeScript budget object holds afterwards: -1 once a step was refused."""
        return self.given - self.used if not self.refused else -1

    refused = False


def in_js_order(keys):
    """JavaScript object order: array-index keys (canonical integers below 2**32 - 1) ascending, then the rest."""
    def is_index(k):
        return re.fullmatch(r"0|[1-9][0-9]*", k) is not None and int(k) < 2**32 - 1
    keys = list(keys)
    return sorted((k for k in keys if is_index(k)), key=int) + [k for k in keys if not is_index(k)]


def m_same(a, b, meter):
    meter.step()
    ka = kind(a)
    if ka != kind(b):
        return False
    if ka == "array":
        if len(a) != len(b):
            return False
        return all(m_same(x, y, meter) for x, y in zip(a, b))  # all() stops at the first unequal pair
    if ka == "object":
        for k in in_js_order(b):
            if k not in a or not m_same(a[k], b[k], meter):
                return False
        return len(a) == len(b)
    return a == b


def m_value(cond, value, meter):
    meter.step()  # the value test, before any operator
    if not operator_object(cond):
        return m_same(value, cond, meter)
    for op, arg in cond.items():
        if not m_op(op, value, arg, meter):
            return False
    return True


def m_op(op, value, arg, meter):
    if op in ("$eq", "$ne"):
        return m_same(value, arg, meter) == (op == "$eq")
    if op in ("$in", "$nin"):
        if kind(arg) != "array":
            return False
        found = False
        for v in (value if kind(value) == "array" else [value]):
            if any(m_same(v, o, meter) for o in arg):
                found = True
                break
        return found == (op == "$in")
    if op == "$regex":
        return kind(arg) == "string" and kind(value) == "string" and regex(arg, value, meter)
    if op == "$not":
        return not m_value(arg, value, meter)
    if op == "$size":
        return kind(value) == "array" and m_value(arg, len(value), meter)
    if op == "$elemMatch":
        if kind(value) != "array" or kind(arg) != "object":
            return False
        if operator_object(arg):
            return any(m_value(arg, v, meter) for v in value)
        return any(m_matches(v, arg, meter) for v in value)
    if op == "$all":
        if kind(value) != "array" or kind(arg) != "array":
            return False
        return all(any(m_value(a, v, meter) for v in value) for a in arg)
    return match_op(op, value, arg)  # the operators that cost nothing


def m_matches(attrs, cond, meter):
    if kind(cond) != "object":
        return False
    for key in in_js_order(cond):
        arg = cond[key]
        if key == "$and":
            ok = kind(arg) == "array" and all(m_matches(attrs, c, meter) for c in arg)
        elif key in ("$or", "$nor"):
            ok = kind(arg) == "array" and (len(arg) == 0 or any(m_matches(attrs, c, meter) for c in arg))
            ok = kind(arg) == "array" and (ok if key == "$or" else not ok)
        elif key == "$not":
            ok = kind(arg) == "object" and not m_matches(attrs, arg, meter)
        else:
            ok = m_value(arg, lookup(attrs, key), meter)
        if not ok:
            return False
    return True


def within(attrs, cond, meter):
    """The condition's answer under `meter`: running out of steps anywhere is no match."""
    try:
        return m_matches(as_javascript_parses(attrs), as_javascript_parses(cond), meter)
    except OutOfSteps:
        meter.refused = True
        return False


# The regex search, for `matches` and the metered evaluator alike (`regex`): a small parser of the
# accepted syntax (docs/targeting.md 2; anything it does not know raises), the NFA as the
# documentation describes it, built as linked fragments, and the search, position by position. Which
# code points a character atom accepts is left to Python's re on the atom's own text (js_to_python,
# one character at a time, so nothing to backtrack over), so only the shape of the NFA is written here.


class St:
    def __init__(self, kind, test=None):
        self.kind, self.test, self.out, self.other = kind, test, None, None


def parse_pattern(p):
    """A tree: ("atom", text) | ("assert", c) | ("seq", [..]) | ("alt", [..]) | ("rep", node, lo, hi)."""
    i = 0

    def alt():
        nonlocal i
        options = [seq()]
        while i < len(p) and p[i] == "|":
            i += 1
            options.append(seq())
        return options[0] if len(options) == 1 else ("alt", options)

    def seq():
        nonlocal i
        items = []
        while i < len(p) and p[i] not in "|)":
            items.append(quantified(atom()))
        return ("seq", items)

    def atom():
        nonlocal i
        c = p[i]
        if c == "(":
            i += 3 if p.startswith("(?:", i) else 1
            inner = alt()
            assert p[i] == ")"
            i += 1
            return inner
        if c == "[":
            j = i + 1 + (p[i + 1] == "^")
            while p[j] != "]":
                j += 2 if p[j] == "\\" else 1
            text, i = p[i:j + 1], j + 1
            return ("atom", text)
        if c == "\\":
            text, i = p[i:i + 2], i + 2
            return ("assert", text) if text in ("\\b", "\\B") else ("atom", text)
        i += 1
        if c in "^$":
            return ("assert", c)
        if c in "*+?{})]":
            raise NotImplementedError(p)
        return ("atom", c)

    def quantified(node):
        nonlocal i
        m = re.match(r"\*|\+|\?|\{(\d+)(,(\d*))?\}", p[i:])
        if not m:
            return node
        i += len(m.group(0))
        if i < len(p) and p[i] == "?":
            i += 1  # lazy: compiled as greedy
        q = m.group(0)
        lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}.get(q, (None, None))
        if lo is None:
            lo = int(m.group(1))
            hi = lo if m.group(2) is None else (int(m.group(3)) if m.group(3) else None)
        return ("rep", node, lo, hi)

    tree = alt()
    if i != len(p):
        raise NotImplementedError(p)
    return tree


def fragment(node):
    """(entry state or None for an empty fragment, [(state, attribute) left to patch])."""
    t = node[0]
    if t in ("atom", "assert"):
        s = St("char", node[1]) if t == "atom" else St("assert", node[1])
        return s, [(s, "out")]
    if t == "seq":
        return chain([fragment(x) for x in node[1]])
    if t == "alt":
        frags = [fragment(x) for x in node[1]]
        entry, holes = frags[-1]
        for f in reversed(frags[:-1]):
            split = St("split")
            holes = enter(split, "out", f) + enter(split, "other", (entry, holes))
            entry = split
        return entry, holes
    _, inner, lo, hi = node
    parts = [fragment(inner) for _ in range(lo)]
    if hi is None:
        split, jump = St("split"), St("jump")
        patch(enter(split, "out", fragment(inner)), jump)
        jump.out = split
        parts.append((split, [(split, "other")]))
        return chain(parts)
    # m - n optional copies, each skipping past the whole repetition when not taken.
    skips, tail = [], None
    for _ in range(hi - lo):
        split = St("split")
        skips.append((split, "other"))
        if tail is None:
            first = split
        else:
            patch(tail, split)
        tail = enter(split, "out", fragment(inner))
    if hi > lo:
        parts.append((first, tail + skips))
    return chain(parts)


def enter(state, attr, frag):
    """Points `state.attr` at `frag`; the holes to patch after it. An empty fragment (an empty
    option, `(?:)`) has no state: the branch goes straight on, so `state.attr` is the hole."""
    if frag[0] is None:
        return [(state, attr)]
    setattr(state, attr, frag[0])
    return frag[1]


def patch(holes, target):
    for s, attr in holes:
        setattr(s, attr, target)


def chain(frags):
    entry, holes = None, []
    for f in frags:
        if f[0] is None:
            continue
        if entry is None:
            entry = f[0]
        else:
            patch(holes, f[0])
        holes = f[1]
    return entry, holes


_accepts = {}


def accepts(text, ch):
    key = (text, ch)
    if key not in _accepts:
        _accepts[key] = re.fullmatch(js_to_python(text), ch, re.ASCII) is not None
    return _accepts[key]


def nfa_search(pattern, s, meter):
    entry, holes = fragment(parse_pattern(pattern))
    match = St("match")
    patch(holes, match)
    start = entry or match
    word = re.compile("[0-9A-Za-z_]")
    end = len(s)

    def holds(kind, p):
        if kind == "^":
            return p == 0
        if kind == "$":
            return p == end
        before = p > 0 and word.fullmatch(s[p - 1]) is not None
        at = p < end and word.fullmatch(s[p]) is not None
        return (before != at) == (kind == "\\b")

    def visit(state, p, seen, threads):
        if id(state) in seen:
            return False
        seen.add(id(state))
        meter.step()
        if state.kind == "match":
            return True
        if state.kind == "char":
            threads.append(state)
            return False
        if state.kind == "jump":
            return visit(state.out, p, seen, threads)
        if state.kind == "split":
            return visit(state.out, p, seen, threads) or visit(state.other, p, seen, threads)
        return holds(state.test, p) and visit(state.out, p, seen, threads)

    seen, threads = set(), []
    for p in range(end + 1):
        if visit(start, p, seen, threads):
            return True
        if p == end:
            return False
        next_seen, next_threads = set(), []
        for t in threads:
            meter.step()
            if accepts(t.test, s[p]) and visit(t.out, p + 1, next_seen, next_threads):
                return True
        seen, threads = next_seen, next_threads
    return False


def shares(total, n):
    """budgetShares as documented: a generator of Meters; send nothing, it reads each one's use."""
    floor, remaining = (total // (2 * n) if n else 0), total
    for i in range(1, n + 1):
        meter = Meter(max(0, remaining - (n - i) * floor))
        yield meter
        remaining -= meter.used


def metered(meter):
    """A `match` for evaluate_flag and evaluate_experiment: every condition under `meter`."""
    return lambda attrs, cond: within(attrs, cond, meter)


STEPS = 100_000  # CONDITION_LIMITS.stepBudget
TAGS = ["t%d" % k for k in range(100)]
NONE_OF_THEM = ["x%d" % k for k in range(1000)]  # 100 tags against these: 1 + 100 x 1000 steps
AT_100000 = NONE_OF_THEM[:998] + ["t99", "x999"]  # t99, the 100th tag, is item 999: 1 + 99,000 + 999 steps
AT_100001 = NONE_OF_THEM[:999] + ["t99"]  # one item later: 100,001 steps
AT_20001 = NONE_OF_THEM[:999] + ["t19"]  # with TAGS[:20]: 1 + 19,000 + 1000 steps

# (name, condition, attributes, steps given, the cost it was built for: None when it runs out)
BUDGET_CONDITIONS = [
    ("$in found at step 100,000 (the last allowed)", {"tags": {"$in": AT_100000}}, {"tags": TAGS}, STEPS, STEPS),
    ("$in found at step 100,001 (one too many)", {"tags": {"$in": AT_100001}}, {"tags": TAGS}, STEPS, None),
    ("$in of numbers found at step 100,000", {"n": {"$in": list(range(1000, 1998)) + [99, 5000]}},
     {"n": list(range(100))}, STEPS, STEPS),
    ("$in of numbers found at step 100,001", {"n": {"$in": list(range(1000, 1999)) + [99]}},
     {"n": list(range(100))}, STEPS, None),
    ("$nin over 99 tags: 99,001 steps", {"tags": {"$nin": NONE_OF_THEM}}, {"tags": TAGS[:99]}, STEPS, 99_001),
    ("$nin over 100 tags: 100,001 steps, no match although none is in", {"tags": {"$nin": NONE_OF_THEM}},
     {"tags": TAGS}, STEPS, None),
    ("$not around a condition that runs out: no match", {"$not": {"tags": {"$in": NONE_OF_THEM}}},
     {"tags": TAGS}, STEPS, None),
    ("$not around the same condition within budget", {"$not": {"tags": {"$in": NONE_OF_THEM}}},
     {"tags": TAGS[:99]}, STEPS, 99_001),
    ("object equality at its exact cost", {"o": {"a": 1, "b": [1, 2]}}, {"o": {"b": [1, 2], "a": 1}}, 6, 6),
    ("object equality one step short", {"o": {"a": 1, "b": [1, 2]}}, {"o": {"b": [1, 2], "a": 1}}, 5, None),
    ("index-like keys first: the cheap failing key stops it", {"$not": {"z": {"$in": NONE_OF_THEM}, "1": "no"}},
     {"z": "x", "1": "yes"}, 10, 2),
    ("index-like keys in numeric order", {"$not": {"z": {"$in": NONE_OF_THEM}, "10": "no", "2": {"$in": NONE_OF_THEM}}},
     {"z": "x", "10": "yes", "2": "x"}, 1000, None),
    ("$all and $elemMatch within budget", {"l": {"$all": [{"$elemMatch": {"$eq": 3}}, {"$size": 2}]}},
     {"l": [[1, 2], [2, 3]]}, 100, 14),
    ("empty condition with no steps", {}, {"a": 1}, 0, 0),
    ("a*a*a*a*a*a*b on 1000 a and a b: within budget", {"ua": {"$regex": "a*a*a*a*a*a*b"}},
     {"ua": "a" * 1000 + "b"}, STEPS, "any"),
    ("a*a*a*a*a*a*b on 4095 a and a b: runs out", {"ua": {"$regex": "a*a*a*a*a*a*b"}},
     {"ua": "a" * 4095 + "b"}, STEPS, None),
    ("@example\\.com$ on 4096 characters", {"email": {"$regex": "@example\\.com$"}},
     {"email": "x" * 4084 + "@example.com"}, STEPS, "any"),
]

# Patterns whose search is run at exactly its cost (matches) and one step less (does not): every
# NFA shape (alternation, each quantifier, classes, assertions, astral characters) counts alike.
REGEX_BUDGET_CASES = [
    ("\\bcat\\b|dog", "a concatenated hotdog"),
    ("^(?:ab|cd)x|d(?:ab|cd)", "cdabxcd"),
    ("x{2,5}?y", "xxxxxxxy"),
    ("[a-c]{3}\\d?\\.", "zzabcab9."),
    ("colou?r", "a colour"),
    ("(?:a|b|c)d", "aaabbbcd"),
    ("^.{1,4}$", "😀ab"),
    ("\\Bcat", "concat"),
    ("[^x]*z", "xxyyz"),
    ("\\s\\S+\\s", "one two three"),
    ("e.{0,3}e", "e\nee"),
    ("a{2,}b|a{3}", "aaab"),
]


def budget_condition_cases():
    out = []
    for name, cond, attrs, steps, cost in BUDGET_CONDITIONS:
        out.append(budget_case(name, cond, attrs, steps, cost))
    for pattern, s in REGEX_BUDGET_CASES:
        cond, attrs = {"s": {"$regex": pattern}}, {"s": s}
        full = Meter(10**9)
        assert within(attrs, cond, full) and matches(attrs, cond), pattern
        out.append(budget_case(f"regex {pattern!r} on {s!r} at its cost", cond, attrs, full.used, full.used))
        out.append(budget_case(f"regex {pattern!r} on {s!r} one step short", cond, attrs, full.used - 1, None))
    return out


def budget_case(name, cond, attrs, steps, cost):
    meter = Meter(steps)
    got = within(attrs, cond, meter)
    unbounded = Meter(10**9)
    truth = within(attrs, cond, unbounded)
    # The plain evaluator (re for $regex) agrees with the counting one when nothing runs out.
    assert truth == matches(attrs, cond), name
    if cost is None:
        assert meter.refused and not got, name
    else:
        assert not meter.refused and got == truth and (cost == "any" or meter.used == cost), (name, meter.used)
    return {"name": name, "condition": cond, "attributes": attrs, "steps": steps, "match": got,
            "left": meter.left, "unbounded_match": truth}


# A flag whose first rule runs out of the flag's budget: the second rule's condition has no step
# left, the third (no condition) still applies.
BUDGET_FLAG = {"key": "budget_rules", "value_type": "string", "default_value": "default", "enabled": True,
               "rules": [{"condition": {"tags": {"$in": AT_100001}}, "rollout_percentage": 100, "value": "first"},
                         {"condition": {"plan": "pro"}, "rollout_percentage": 100, "value": "second"},
                         {"condition": None, "rollout_percentage": 100, "value": "third"}]}
BUDGET_FLAG_CHEAP = dict(BUDGET_FLAG, key="budget_rules_cheap",
                         rules=[dict(BUDGET_FLAG["rules"][0], condition={"tags": {"$in": AT_100000}})]
                         + BUDGET_FLAG["rules"][1:])

# The first rule fails after exactly 100,000 steps (999 for `pad`, then 99,001), so the second
# rule's two steps are not left either: one budget for all the rules, not one per rule.
BUDGET_FLAG_RULES = dict(BUDGET_FLAG, key="budget_rules_shared",
                         rules=[dict(BUDGET_FLAG["rules"][0],
                                     condition={"pad": {"$in": NONE_OF_THEM[:997] + ["p"]},
                                                "tags": {"$in": NONE_OF_THEM}})]
                         + BUDGET_FLAG["rules"][1:])


def budget_flag_cases():
    """Single flags, each with a fresh 100,000 steps for all its rules."""
    users = (("b1", {"tags": TAGS, "plan": "pro"}), ("b2", {"tags": TAGS[:99], "plan": "pro"}),
             ("b3", {"pad": "p", "tags": TAGS[:99], "plan": "pro"}))
    flags = [BUDGET_FLAG, BUDGET_FLAG_CHEAP, BUDGET_FLAG_RULES]
    cases = [{"key": flag["key"], "user_id": user, "attributes": attrs,
              "result": evaluate_flag(flag, user, attrs, metered(Meter(STEPS)))}
             for flag in flags for user, attrs in users]
    return {"flags": flags, "cases": cases}


def simple_flag(key, cond):
    return {"key": key, "value_type": "boolean", "default_value": False, "enabled": True,
            "rules": [{"condition": cond, "rollout_percentage": 100, "value": True}]}


# Flags evaluated together share 100,000 steps: the costly first one runs out of its share, the
# second (20,001 steps, which a fresh budget would allow) gets only its floor and runs out too, and
# the cheap ones after them still have their floor.
SHARED_FLAGS = [
    simple_flag("costly", {"tags": {"$in": AT_100001}}),
    simple_flag("medium", {"few": {"$in": AT_20001}}),
    simple_flag("cheap", {"plan": "pro"}),
    simple_flag("floor", {"few": {"$in": NONE_OF_THEM[:500] + ["t0"]}}),
]
SHARED_EXPERIMENTS = [
    {"seed": "costly_exp", "coverage": 100, "percentages": [50, 50], "targeting": {"tags": {"$in": AT_100001}},
     "namespace": None},
    {"seed": "medium_exp", "coverage": 100, "percentages": [50, 50], "targeting": {"few": {"$in": AT_20001}},
     "namespace": None},
    {"seed": "cheap_exp", "coverage": 100, "percentages": [50, 50], "targeting": {"plan": "pro"}, "namespace": None},
    {"seed": "open_exp", "coverage": 100, "percentages": [50, 50], "targeting": None, "namespace": None},
]
SHARED_USERS = [("s1", {"tags": TAGS, "few": TAGS[:20], "plan": "pro"}),
                ("s2", {"tags": TAGS[:50], "few": TAGS[:20], "plan": "pro"}),
                ("s3", {"tags": ["t99"], "few": TAGS[:20], "plan": "free"})]


def shared_flag_cases():
    cases = []
    by_key = {f["key"]: f for f in SHARED_FLAGS}
    for keys in (None, ["cheap", "nope", "costly", "medium", "floor"], ["medium", "costly"]):
        names = [f["key"] for f in SHARED_FLAGS] if keys is None else keys
        for user, attrs in SHARED_USERS:
            meters = shares(STEPS, len(names))
            result = {}
            for key in names:
                flag = by_key.get(key)
                result[key] = ({"value": None, "rule_index": None, "reason": "not_found"} if flag is None
                               else evaluate_flag(flag, user, attrs, metered(next(meters))))
            alone = {k: evaluate_flag(by_key[k], user, attrs, metered(Meter(STEPS))) for k in names if k in by_key}
            cases.append({"keys": keys, "user_id": user, "attributes": attrs, "result": result,
                          "decided_by_shares": [k for k in alone if alone[k] != result[k]]})
    return {"flags": SHARED_FLAGS, "cases": cases}


def shared_experiment_cases():
    cases = []
    for user, attrs in SHARED_USERS:
        meters = shares(STEPS, len(SHARED_EXPERIMENTS))
        results = []
        for e in SHARED_EXPERIMENTS:
            index, reason = evaluate_experiment(e, user, attrs, metered(next(meters)))
            alone = evaluate_experiment(e, user, attrs, metered(Meter(STEPS)))
            results.append({"seed": e["seed"], "variant_index": index, "in_experiment": reason is None,
                            "reason": reason, "decided_by_shares": alone != (index, reason)})
        cases.append({"user_id": user, "attributes": attrs, "results": results})
    return {"experiments": SHARED_EXPERIMENTS, "cases": cases}


def budget_self_check():
    # The documented examples (docs/targeting.md 2.1).
    for cond, attrs, cost in [({"n": {"$gt": 5}}, {"n": 1}, 1), ({"country": {"$in": ["US", "CA"]}}, {"country": "CA"}, 3),
                              ({"o": {"a": 1, "b": [1, 2]}}, {"o": {"a": 1, "b": [1, 2]}}, 6),
                              ({"tags": {"$in": ["x", "y", "z"]}}, {"tags": ["a", "b"]}, 7)]:
        m = Meter(STEPS)
        within(attrs, cond, m)
        assert m.used == cost, (cond, m.used)
    # The search of a literal: 2 steps per position it fails at (the start state, then its thread).
    m = Meter(STEPS)
    assert nfa_search("a", "xxa", m) and m.used == 2 * 2 + 3
    # budgetShares, as the documentation's formula: 1000 over four that each use one step.
    got, meters = [], shares(1000, 4)
    for meter in meters:
        got.append(meter.given)
        meter.used = 1
    assert got == [625, 749, 873, 997], got


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
    # An empty string has no word boundary, so \B matches there and \b does not (JavaScript; Python's
    # re before 3.14 says otherwise, which the reference corrects and the Python SDK once got wrong).
    ("\\B", ""), ("\\b", ""),
]


# Integers past 2**53, where a JSON number stops being exact. JavaScript parses each to the nearest
# double (2**53 + 1 is 2**53; 2**53 + 2 is itself), so conditions and attributes that differ only
# there are equal, on both sides of every operator, inside arrays and objects too; Python's exact
# integers would say otherwise. An integer past the largest double is Infinity (attributes only: the
# validator refuses such a condition).
BIG = 2**53
BIG_INT_CASES = [
    ("$eq across 2**53", {"n": {"$eq": BIG + 1}}, {"n": BIG}),
    ("literal across 2**53", {"n": BIG}, {"n": BIG + 1}),
    ("an account id past 2**53", {"account_id": 9007199254740993}, {"account_id": 9007199254740992}),
    ("integer against a float", {"n": BIG + 1}, {"n": float(BIG)}),
    ("negative literal", {"n": -BIG - 1}, {"n": -BIG}),
    ("$ne across 2**53", {"n": {"$ne": BIG}}, {"n": BIG + 1}),
    ("$ne of distinct doubles", {"n": {"$ne": BIG}}, {"n": BIG + 2}),
    ("literal of distinct doubles", {"n": BIG + 2}, {"n": BIG}),
    ("below 2**53 still exact", {"n": BIG - 1}, {"n": BIG}),
    ("$gt across 2**53", {"n": {"$gt": BIG}}, {"n": BIG + 1}),
    ("$gte across 2**53", {"n": {"$gte": BIG + 1}}, {"n": BIG}),
    ("$lt across 2**53", {"n": {"$lt": BIG + 1}}, {"n": BIG}),
    ("$lte across 2**53", {"n": {"$lte": BIG}}, {"n": BIG + 1}),
    ("$lt of negatives", {"n": {"$lt": -BIG}}, {"n": -BIG - 1}),
    ("$gt of distinct doubles", {"n": {"$gt": BIG + 1}}, {"n": BIG + 2}),
    ("$gt of an integer and a float", {"n": {"$gt": 2.0**63}}, {"n": 2**63 + 1}),
    ("$in across 2**53", {"n": {"$in": [1, BIG + 1]}}, {"n": BIG}),
    ("$nin across 2**53", {"n": {"$nin": [BIG]}}, {"n": BIG + 1}),
    ("$in of an array attribute", {"ids": {"$in": [BIG + 3]}}, {"ids": [7, BIG + 4]}),
    ("array literal", {"ids": [1, BIG + 1]}, {"ids": [1, BIG]}),
    ("object literal", {"o": {"a": BIG + 1, "b": [BIG]}}, {"o": {"b": [BIG + 1], "a": BIG}}),
    ("$all", {"ids": {"$all": [BIG + 1, 2]}}, {"ids": [2, BIG]}),
    ("$elemMatch of operators", {"ids": {"$elemMatch": {"$eq": BIG + 1}}}, {"ids": [BIG]}),
    ("$elemMatch of fields", {"rows": {"$elemMatch": {"id": BIG, "n": {"$gte": BIG + 1}}}},
     {"rows": [{"id": BIG + 1, "n": BIG}]}),
    ("$size of a huge integer", {"ids": {"$size": {"$lt": BIG + 1}}}, {"ids": [1]}),
    ("$not", {"n": {"$not": {"$eq": BIG}}}, {"n": BIG + 1}),
    ("2**64 and its neighbour", {"n": 2**64}, {"n": 2**64 + 1}),
    ("past the largest double is Infinity", {"n": {"$gt": 1.7976931348623157e308}}, {"n": 10**400}),
    ("Infinity equals no finite number", {"n": {"$in": [1.7976931348623157e308, BIG]}}, {"n": -10**400}),
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
    for name, cond, attrs in BIG_INT_CASES:
        out.append({"name": f"big integer: {name}", "condition": cond, "attributes": attrs, "match": matches(attrs, cond)})
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


def leaves(v, want):
    """Every value of type `want` ("$regex": every pattern) anywhere in `v`."""
    if isinstance(v, dict):
        for k, x in v.items():
            if want == "$regex" and k == "$regex" and isinstance(x, str):
                yield x
            else:
                yield from leaves(x, want)
    elif isinstance(v, list):
        for x in v:
            yield from leaves(x, want)
    elif want == "string" and isinstance(v, str):
        yield v


def regex_self_check():
    """Every regex answer of the golden file is re's too: each pattern of the conditions, flags and
    experiments against each string of the attributes and users, and the regex and budget cases'
    own pairs. (re sees only these fixed pairs, none of which makes it backtrack for long.)"""
    everything = [CONDITIONS, ATTRIBUTES, FLAGS, USERS, EXPERIMENTS]
    strings = set(leaves(everything, "string"))
    pairs = {(p, s) for p in leaves(everything, "$regex") for s in strings}
    pairs.update(REGEX_CASES, REGEX_BUDGET_CASES)
    pairs.update((p, s) for _, cond, attrs, _, _ in BUDGET_CONDITIONS
                 for p in leaves(cond, "$regex") for s in leaves(attrs, "string"))
    for p, s in sorted(pairs):
        assert regex(p, s) == re_search(p, s), (p, s)
    return len(pairs)


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
    # JavaScript numbers: 2**53 + 1 parses as 2**53, 2**53 + 2 as itself.
    assert matches({"n": 2**53 + 1}, {"n": 2**53}) and not matches({"n": 2**53 + 2}, {"n": 2**53})
    assert not matches({"n": 2**53 + 1}, {"n": {"$gt": 2**53}}) and matches({"n": 10**400}, {"n": {"$gt": 1e308}})
    # Raising a rollout never takes a value away.
    for k in range(2000):
        u = f"r{k}"
        if bucket_bp("f", u) < to_bp(10):
            assert bucket_bp("f", u) < to_bp(50)


def render():
    self_check()
    regex_self_check()
    budget_self_check()
    conditions = condition_cases()
    doc = {
        "description": (
            "Golden targeting cases from scripts/gen_targeting_vectors.py (independent Python reference). "
            "conditions: does `attributes` match `condition`; invalid: conditions the validator refuses "
            "(path of the first problem); flags: evaluation result; namespaces: GrowthBook's namespace hash; "
            "experiments: running experiments with targeting, namespace and coverage; exposed: the same with the "
            "user's earlier answer (`exposed`), which keeps a user who now fails targeting only in their variant; "
            "budget: the step budget (docs/targeting.md 2.1): conditions given `steps` (the answer `match`, the "
            "steps `left`, -1 when they ran out; `unbounded_match` without a budget), single flags whose rules "
            "share 100,000 steps, flags evaluated together (all, or the named `keys`) and running experiments "
            "assigned together, sharing 100,000 steps (budgetShares). "
            "See docs/targeting.md."
        ),
        "conditions": conditions,
        "invalid": invalid_cases(),
        "flags": flag_cases(),
        "namespaces": namespace_cases(),
        "experiments": experiment_cases(),
        "exposed": exposed_cases(),
        "budget": {
            "conditions": budget_condition_cases(),
            "flags": budget_flag_cases(),
            "shared_flags": shared_flag_cases(),
            "shared_experiments": shared_experiment_cases(),
        },
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
        f"{len(doc['experiments'])} experiment, {len(doc['exposed'])} exposed cases, "
        f"{sum(len(v) if isinstance(v, list) else len(v['cases']) for v in doc['budget'].values())} budget cases",
    )


if __name__ == "__main__":
    main()
