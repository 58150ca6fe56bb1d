"""Targeting conditions (docs/targeting.md): MongoDB-style operators over JSON attributes.

The same semantics as the server's evaluator (src/targeting/condition.ts): no implicit type
coercion, a missing attribute reads as null, strings order by UTF-16 code units, numbers compare as
JavaScript's doubles (an int past 2**53 as the double JSON.parse would make of it). It also does the
same work in the same order under the same step budget (docs/targeting.md, "The step budget"), so
a condition that runs out of steps on the server or in the TypeScript SDK does not match here
either: one step per value test and per equality test, and `$regex` runs on a port of the
server's non-backtracking engine (src/targeting/regex.ts) that charges one step per state visited.
"""
import math
import re

MAX_REGEX_INPUT = 4096  # UTF-16 code units; longer strings never match a $regex
MAX_REGEX_LENGTH = 256  # UTF-16 code units of a pattern
MAX_REPEAT = 100
MAX_REGEX_STATES = 1000
STEP_BUDGET = 100_000  # CONDITION_LIMITS.stepBudget: steps per evaluation, or per request when shared

_NUMBER, _STRING, _BOOL, _NULL, _ARRAY, _OBJECT = range(6)
_EXACT = 2**53  # every int up to this is a double; past it, JSON.parse rounds


class Budget:
    """A mutable allowance of steps, shared by everything one evaluation (or one flag's rules)
    does. It ends below zero once exhausted."""
    __slots__ = ("steps",)

    def __init__(self, steps=STEP_BUDGET):
        self.steps = steps

    def __repr__(self):
        return "Budget(%d)" % self.steps


class _Exhausted(Exception):
    pass


def budget_shares(total, count):
    """One request's budget shared by `count` evaluations (src/targeting/condition.ts, budgetShares):
    each call returns a Budget holding everything left except a floor, total // (2 * count), kept
    for each evaluation after it. The Budgets handed out never add up to more than `total`."""
    floor = total // (2 * count) if count > 0 else 0
    state = {"remaining": total, "after": count, "last": None, "granted": 0}

    def share():
        last = state["last"]
        if last is not None:  # what the previous evaluation used (an exhausted one: all of it)
            state["remaining"] -= state["granted"] - max(0, last.steps)
        state["after"] = max(0, state["after"] - 1)
        state["granted"] = max(0, state["remaining"] - state["after"] * floor)
        state["last"] = Budget(state["granted"])
        return state["last"]

    return share


def _type(v):
    if v is None:
        return _NULL
    if v is True or v is False:
        return _BOOL
    if isinstance(v, (int, float)):
        return _NUMBER
    if isinstance(v, str):
        return _STRING
    if isinstance(v, (list, tuple)):
        return _ARRAY
    return _OBJECT if isinstance(v, dict) else -1


def _js_number(x):
    """A number as JavaScript holds it: the server and the TypeScript SDK parse JSON into doubles,
    so 9007199254740993 is 9007199254740992 there and equal to it, in a condition or an attribute.
    An int past 2**53 becomes the nearest double (float() rounds as JSON.parse does, to even), one
    past the largest double ±inf (JSON.parse's Infinity); smaller ints compare exactly with floats
    already. bool never gets here (its _type is _BOOL)."""
    if x.__class__ is not float and (x > _EXACT or x < -_EXACT):
        try:
            return float(x)
        except OverflowError:
            return math.inf if x > 0 else -math.inf
    return x


def _utf16(s):
    return s.encode("utf-16-be", "surrogatepass")


def _utf16_length(s):
    return len(s) if s.isascii() else len(_utf16(s)) // 2


def _index_key(k):
    # JavaScript's array-index keys: canonical decimal integers below 2**32 - 1.
    return k.isdigit() and k.isascii() and (k == "0" or k[0] != "0") and int(k) < 4294967295


def _js_keys(d):
    """A condition object's keys in the order JavaScript visits them (for...in): array-index keys
    first, ascending, then the others in insertion (JSON) order. The order decides which steps an
    evaluation takes before it stops."""
    if not any(k[:1].isdigit() for k in d):
        return d
    first = sorted((k for k in d if _index_key(k)), key=int)
    return first + [k for k in d if not _index_key(k)]


def _equal(a, b, budget):
    """JSON equality, one step per comparison: `a` the attribute side, `b` the condition's."""
    budget.steps -= 1
    if budget.steps < 0:
        raise _Exhausted
    if a is b and not (a.__class__ is float and a != a):  # one NaN object is still not equal to itself
        return True
    t = _type(a)
    if t != _type(b):
        return False
    if t == _ARRAY:
        if len(a) != len(b):
            return False
        for x, y in zip(a, b):
            if not _equal(x, y, budget):
                return False
        return True
    if t == _OBJECT:
        for k in _js_keys(b):
            if k not in a or not _equal(a[k], b[k], budget):
                return False
        return len(a) == len(b)
    if t == _NUMBER:
        return _js_number(a) == _js_number(b)
    return t != -1 and a == b


def _compare(a, b):
    """-1, 0 or 1 for two numbers or two strings; None when they have no order (other types, or
    NaN, which every comparison is false on in JavaScript)."""
    t = _type(a)
    if t != _type(b) or t not in (_NUMBER, _STRING):
        return None
    if t == _STRING:
        a, b = _utf16(a), _utf16(b)
    else:
        a, b = _js_number(a), _js_number(b)
    return -1 if a < b else 1 if a > b else 0 if a == b else None


def get_path(obj, path: str):
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def _is_operators(v) -> bool:
    return isinstance(v, dict) and bool(v) and all(k.startswith("$") for k in v)


# ---- $regex: a port of src/targeting/regex.ts ---------------------------------------------------
# The same accepted subset, the same Thompson NFA (state for state) and the same Pike VM
# simulation, so that a search visits the same states in the same order and costs the same steps.

_DIGIT = ((0x30, 0x39),)
_WORD = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
_SPACE = ((0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029),
          (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF))
_LINE_TERMINATORS = ((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029))
# A set is (ranges, negate); a class is (sets, negate): the union of its sets, complemented if negate.
_DOT = (((_LINE_TERMINATORS, False),), True)
_CLASS_ESCAPES = {"d": (_DIGIT, False), "D": (_DIGIT, True), "w": (_WORD, False), "W": (_WORD, True),
                  "s": (_SPACE, False), "S": (_SPACE, True)}
_CONTROL_ESCAPES = {"n": 0x0A, "t": 0x09, "r": 0x0D, "f": 0x0C, "v": 0x0B}
_SYNTAX_CHARS = "^$\\.*+?()[]{}|/"
_REPEAT = re.compile(r"\{([0-9]{1,4})(,([0-9]{0,4}))?\}")


class _RegexSyntaxError(Exception):
    pass


def _single(cp):
    return ((((cp, cp),), False),), False


def _parse_regex(pattern):
    """The accepted subset as a tree of ("char", cls) | ("assert", kind) | ("seq", items) |
    ("alt", options) | ("repeat", node, min, max); _RegexSyntaxError for anything else."""
    if _utf16_length(pattern) > MAX_REGEX_LENGTH:
        raise _RegexSyntaxError("pattern too long")
    cps = pattern
    n = len(cps)
    pos = [0]

    def peek():
        return cps[pos[0]] if pos[0] < n else None

    def fail(why):
        raise _RegexSyntaxError(why)

    def parse_alt(depth):
        if depth > 20:
            fail("groups nested too deeply")
        options = [parse_seq(depth)]
        while peek() == "|":
            pos[0] += 1
            options.append(parse_seq(depth))
        return options[0] if len(options) == 1 else ("alt", options)

    def parse_seq(depth):
        items = []
        c = peek()
        while c is not None and c != "|" and c != ")":
            items.append(parse_quantifier(parse_atom(depth)))
            c = peek()
        return ("seq", items)

    def parse_atom(depth):
        c = peek()
        pos[0] += 1
        if c == "(":
            if peek() == "?":
                pos[0] += 1
                if peek() != ":":
                    fail("only non-capturing groups")
                pos[0] += 1
            inner = parse_alt(depth + 1)
            if peek() != ")":
                fail("unclosed group")
            pos[0] += 1
            return inner
        if c == "[":
            return ("char", parse_class())
        if c == ".":
            return ("char", _DOT)
        if c == "^":
            return ("assert", "bol")
        if c == "$":
            return ("assert", "eol")
        if c == "\\":
            e = peek()
            pos[0] += 1
            if e is None:
                fail("trailing backslash")
            if e == "b":
                return ("assert", "wordb")
            if e == "B":
                return ("assert", "nwordb")
            if e in _CLASS_ESCAPES:
                return ("char", ((_CLASS_ESCAPES[e],), False))
            if e in _CONTROL_ESCAPES:
                return ("char", _single(_CONTROL_ESCAPES[e]))
            if e in _SYNTAX_CHARS:
                return ("char", _single(ord(e)))
            fail("unsupported escape")
        if c in ("*", "+", "?", "{"):
            fail("nothing to repeat")
        if c in ("]", "}"):
            fail("unescaped " + c)
        return ("char", _single(ord(c)))

    def parse_class():
        negate = peek() == "^"
        if negate:
            pos[0] += 1
        items = []
        start = pos[0]

        def member():
            c = peek()
            if c is None:
                fail("unclosed character class")
            pos[0] += 1
            if c == "[":
                fail("unescaped [ inside a character class")
            if c != "\\":
                return ord(c)
            e = peek()
            pos[0] += 1
            if e is None:
                fail("trailing backslash")
            if e == "S":
                fail("\\S inside a class")
            if e in _CLASS_ESCAPES:
                return _CLASS_ESCAPES[e]
            if e in _CONTROL_ESCAPES:
                return _CONTROL_ESCAPES[e]
            if e in _SYNTAX_CHARS or e == "-":
                return ord(e)
            fail("unsupported escape in a character class")

        def after(k):
            return cps[pos[0] + k] if pos[0] + k < n else None

        while peek() != "]":
            if peek() is None:
                fail("unclosed character class")
            at_start = pos[0] == start
            if peek() == "-" and not at_start and after(1) != "]":
                fail("a literal - inside a class must be escaped")
            lo = member()
            if peek() == "-" and after(1) is not None and after(1) != "]":
                pos[0] += 1
                hi = member()
                if not isinstance(lo, int) or not isinstance(hi, int):
                    fail("a class escape cannot bound a range")
                if lo > hi:
                    fail("range out of order")
                items.append((((lo, hi),), False))
            else:
                items.append((((lo, lo),), False) if isinstance(lo, int) else lo)
        if not items:
            fail("empty character class")
        pos[0] += 1
        return (tuple(items), negate)

    def parse_quantifier(atom):
        c = peek()
        if c == "*":
            lo, hi = 0, None
        elif c == "+":
            lo, hi = 1, None
        elif c == "?":
            lo, hi = 0, 1
        elif c == "{":
            m = _REPEAT.match(cps, pos[0], min(n, pos[0] + 12))
            if m is None:
                fail("malformed {n,m} repetition")
            lo = int(m.group(1))
            hi = lo if m.group(2) is None else (None if m.group(3) == "" else int(m.group(3)))
            if hi is not None and hi < lo:
                fail("repetition {n,m} with m < n")
            if max(lo, hi or 0) > MAX_REPEAT:
                fail("repetition count too large")
            pos[0] += len(m.group(0)) - 1
        else:
            return atom
        pos[0] += 1
        if peek() == "?":
            pos[0] += 1  # lazy: the same language, so the same boolean answer
        if atom[0] == "assert":
            fail("nothing to repeat")
        if (hi is None or hi > 1) and _repeats_or_chooses(atom):
            fail("nested repetition")
        if peek() in ("*", "+", "?", "{"):
            fail("nothing to repeat")
        return ("repeat", atom, lo, hi)

    root = parse_alt(0)
    if pos[0] < n:
        fail("unmatched )")
    return root


def _repeats_or_chooses(node):
    if node[0] in ("repeat", "alt"):
        return True
    return node[0] == "seq" and any(_repeats_or_chooses(x) for x in node[1])


_CHAR, _SPLIT, _ASSERT, _JUMP, _MATCH = range(5)


def _class_test(cls):
    """A predicate on a code point for a class (a single code point compares directly)."""
    sets, negate = cls
    if not negate and len(sets) == 1 and not sets[0][1] and len(sets[0][0]) == 1 and sets[0][0][0][0] == sets[0][0][0][1]:
        return sets[0][0][0][0]
    return cls


def _in_class(cls, cp):
    sets, negate = cls
    hit = False
    for ranges, set_negate in sets:
        inside = False
        for lo, hi in ranges:
            if lo <= cp <= hi:
                inside = True
                break
        if inside != set_negate:
            hit = True
            break
    return hit != negate


def _is_word(cp):
    return 0x30 <= cp <= 0x39 or 0x41 <= cp <= 0x5A or cp == 0x5F or 0x61 <= cp <= 0x7A


def _compile(pattern):
    """(ops, nexts, alts, args, start), built back to front exactly as compileRegex numbers them."""
    ops, nexts, alts, args = [], [], [], []

    def emit(op, nxt=-1, alt=-1, arg=None):
        if len(ops) >= MAX_REGEX_STATES:
            raise _RegexSyntaxError("pattern too large once repetitions are expanded")
        ops.append(op)
        nexts.append(nxt)
        alts.append(alt)
        args.append(arg)
        return len(ops) - 1

    def build(node, nxt):
        t = node[0]
        if t == "char":
            return emit(_CHAR, nxt, -1, _class_test(node[1]))
        if t == "assert":
            return emit(_ASSERT, nxt, -1, node[1])
        if t == "seq":
            entry = nxt
            for item in reversed(node[1]):
                entry = build(item, entry)
            return entry
        if t == "alt":
            entries = [build(o, nxt) for o in node[1]]
            entry = entries[-1]
            for k in range(len(entries) - 2, -1, -1):
                entry = emit(_SPLIT, entries[k], entry)
            return entry
        _, inner, lo, hi = node
        entry = nxt
        if hi is None:
            jump = emit(_JUMP)
            body = build(inner, jump)
            split = emit(_SPLIT, body, nxt)
            nexts[jump] = split
            entry = split
        else:
            for _k in range(hi, lo, -1):
                body = build(inner, entry)
                entry = emit(_SPLIT, body, nxt)
        for _k in range(lo):
            entry = build(inner, entry)
        return entry

    match = emit(_MATCH)
    start = build(_parse_regex(pattern), match)
    return ops, nexts, alts, args, start


def _search(compiled, text, budget):
    """Whether `text` contains a match: the Pike VM of regexTest, one step per state visited at a
    position and one per thread tested against a character. Raises _Exhausted past the budget."""
    ops, nexts, alts, args, start = compiled
    n = len(text)  # code points, as JavaScript's u mode walks them
    mark = [-1] * len(ops)
    gen = 0
    current, following = [], []
    prev = -1

    def closure(out, s0, at, cp):
        # Depth first, the preferred branch first; a state counts once per position.
        stack = [s0]
        while stack:
            s = stack.pop()
            if mark[s] == gen:
                continue
            mark[s] = gen
            budget.steps -= 1
            if budget.steps < 0:
                raise _Exhausted
            op = ops[s]
            if op == _CHAR:
                out.append(s)
            elif op == _SPLIT:
                stack.append(alts[s])
                stack.append(nexts[s])
            elif op == _JUMP:
                stack.append(nexts[s])
            elif op == _MATCH:
                return True
            else:
                kind = args[s]
                if kind == "bol":
                    ok = at == 0
                elif kind == "eol":
                    ok = at == n
                else:
                    boundary = (prev >= 0 and _is_word(prev)) != (cp >= 0 and _is_word(cp))
                    ok = boundary if kind == "wordb" else not boundary
                if ok:
                    stack.append(nexts[s])
        return False

    at = 0
    while True:
        cp = ord(text[at]) if at < n else -1
        if closure(current, start, at, cp):  # a new thread may start at every position
            return True
        if cp < 0:
            return False
        gen += 1
        del following[:]
        next_cp = ord(text[at + 1]) if at + 1 < n else -1
        prev = cp
        for s in current:
            budget.steps -= 1
            if budget.steps < 0:
                raise _Exhausted
            test = args[s]
            if (test == cp if test.__class__ is int else _in_class(test, cp)) and closure(following, nexts[s], at + 1, next_cp):
                return True
        current, following = following, current
        at += 1


_compiled = {}


def _regex(pattern, value, budget) -> bool:
    if _utf16_length(value) > MAX_REGEX_INPUT:
        return False
    compiled = _compiled.get(pattern)
    if compiled is None:
        try:
            compiled = _compile(pattern)
        except (_RegexSyntaxError, RecursionError):
            compiled = False  # refused when saved; an unvalidated one never matches
        if len(_compiled) >= 500:
            _compiled.clear()
        _compiled[pattern] = compiled
    return compiled is not False and _search(compiled, value, budget)


def version_key(v: str) -> bytes:
    """GrowthBook's padded version string, as UTF-16 for JavaScript's string order."""
    v = re.sub(r"\+.*", "", re.sub(r"^v", "", v or "0"), flags=re.S)
    parts = re.split(r"[-.]", v)
    if len(parts) == 3:
        parts.append("~")
    return _utf16("-".join(p.rjust(5) if p.isascii() and p.isdigit() else p for p in parts))


_VERSION_OPS = {
    "$veq": lambda c: c == 0, "$vne": lambda c: c != 0, "$vgt": lambda c: c > 0,
    "$vgte": lambda c: c >= 0, "$vlt": lambda c: c < 0, "$vlte": lambda c: c <= 0,
}
_ORDER_OPS = {"$gt": lambda c: c > 0, "$gte": lambda c: c >= 0, "$lt": lambda c: c < 0, "$lte": lambda c: c <= 0}


def _in(value, options, budget) -> bool:
    # An array attribute is "in" when any of its elements is: element by element, item by item,
    # one step per comparison.
    for v in (value if _type(value) == _ARRAY else (value,)):
        if v.__class__ is str or v is None:
            # Fast path, the same steps: a string or null equals only an equal string or null
            # (Python's == agrees here), and costs one step per item up to the first equal one.
            try:
                i = options.index(v)
            except ValueError:
                i = -1
            cost = len(options) if i < 0 else i + 1
            if cost > budget.steps:
                budget.steps = -1  # where the step-by-step loop would have stopped
                raise _Exhausted
            budget.steps -= cost
            if i >= 0:
                return True
            continue
        for o in options:
            if _equal(v, o, budget):
                return True
    return False


def _operator(op, value, arg, budget) -> bool:
    if op == "$eq":
        return _equal(value, arg, budget)
    if op == "$ne":
        return not _equal(value, arg, budget)
    if op in _ORDER_OPS:
        c = _compare(value, arg)
        return c is not None and _ORDER_OPS[op](c)
    if op in ("$in", "$nin"):
        return _type(arg) == _ARRAY and _in(value, arg, budget) == (op == "$in")
    if op == "$exists":
        return _type(arg) == _BOOL and (value is not None) == arg
    if op == "$regex":
        return _type(arg) == _STRING and _type(value) == _STRING and _regex(arg, value, budget)
    if op == "$not":
        return not _value_matches(arg, value, budget)
    if op == "$size":
        return _type(value) == _ARRAY and _value_matches(arg, len(value), budget)
    if op == "$elemMatch":
        if _type(value) != _ARRAY or _type(arg) != _OBJECT:
            return False
        if _is_operators(arg):
            return any(_value_matches(arg, v, budget) for v in value)
        return any(_evaluate(v, arg, budget) for v in value)
    if op == "$all":
        if _type(value) != _ARRAY or _type(arg) != _ARRAY:
            return False
        return all(any(_value_matches(a, v, budget) for v in value) for a in arg)
    if op in _VERSION_OPS:
        if _type(value) != _STRING or _type(arg) != _STRING:
            return False
        a, b = version_key(value), version_key(arg)
        return _VERSION_OPS[op]((a > b) - (a < b))
    return False  # unknown operators never match


def _value_matches(condition, value, budget) -> bool:
    budget.steps -= 1
    if budget.steps < 0:
        raise _Exhausted
    if _is_operators(condition):
        for op, arg in condition.items():
            if not _operator(op, value, arg, budget):
                return False
        return True
    return _equal(value, condition, budget)


def evaluate_condition(attributes, condition, budget=None) -> bool:
    """Whether `attributes` (a dict) satisfy `condition` (a dict). Never raises on bad input.
    `budget` (a Budget, shared by several evaluations if given; a fresh STEP_BUDGET otherwise)
    bounds the work: a condition that runs out of it does not match, whatever $not or $nor
    surround the step that ran out."""
    try:
        return _evaluate(attributes, condition, Budget() if budget is None else budget)
    except (_Exhausted, RecursionError):
        return False


def _evaluate(attributes, condition, budget) -> bool:
    if _type(condition) != _OBJECT:
        return False
    for key in _js_keys(condition):
        arg = condition[key]
        if key == "$and":
            if _type(arg) != _ARRAY:
                return False
            for c in arg:
                if not _evaluate(attributes, c, budget):
                    return False
        elif key == "$or" or key == "$nor":
            if _type(arg) != _ARRAY:
                return False
            ok = not arg or any(_evaluate(attributes, c, budget) for c in arg)
            if ok != (key == "$or"):
                return False
        elif key == "$not":
            if _type(arg) != _OBJECT or _evaluate(attributes, arg, budget):
                return False
        elif not _value_matches(arg, get_path(attributes, key), budget):
            return False
    return True


def with_user_id(attributes, user_id):
    """Attributes as conditions see them: `id` defaults to the user id."""
    if attributes is None:
        return {"id": user_id}
    if "id" in attributes:
        return attributes
    return {**attributes, "id": user_id}
