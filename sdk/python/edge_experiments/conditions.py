"""Targeting conditions (docs/targeting.md): MongoDB-style operators over JSON attributes.

The same semantics as the server's evaluator: no implicit type coercion, a missing attribute reads
as null, strings order by UTF-16 code units. Patterns reach the SDK already validated by the server
(the accepted subset refuses nested quantifiers and other catastrophic constructs); they run on
Python's re after rewriting the few constructs Python reads differently from JavaScript.
"""
import re

MAX_REGEX_INPUT = 4096  # UTF-16 code units; longer strings never match a $regex

_NUMBER, _STRING, _BOOL, _NULL, _ARRAY, _OBJECT = range(6)


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


def _utf16(s):
    return s.encode("utf-16-be", "surrogatepass")


def json_equal(a, b) -> bool:
    t = _type(a)
    if t != _type(b):
        return False
    if t == _ARRAY:
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if t == _OBJECT:
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return a == b


def _compare(a, b):
    t = _type(a)
    if t != _type(b) or t not in (_NUMBER, _STRING):
        return None
    if t == _STRING:
        a, b = _utf16(a), _utf16(b)
    return (a > b) - (a < b)


def get_path(obj, path: str):
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def _is_operators(v) -> bool:
    return isinstance(v, dict) and bool(v) and all(k.startswith("$") for k in v)


_JS_SPACE = "\\t-\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_compiled = {}


def _python_pattern(pattern: str) -> str:
    """JavaScript (u mode) to Python: `.` excludes every line terminator, `$` is the very end,
    and `\\s` is JavaScript's whitespace set."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            e = pattern[i + 1]
            i += 2
            if e == "s":
                out.append(_JS_SPACE if in_class else "[" + _JS_SPACE + "]")
            elif e == "S":
                out.append("[^" + _JS_SPACE + "]")
            else:
                out.append("\\" + e)
            continue
        i += 1
        if in_class:
            in_class = c != "]"
            out.append(c)
        elif c == "[":
            in_class = True
            out.append(c)
        elif c == ".":
            out.append("[^\\n\\r\\u2028\\u2029]")
        elif c == "$":
            out.append("\\Z")
        else:
            out.append(c)
    return "".join(out)


def _regex(pattern, value) -> bool:
    if len(_utf16(value)) // 2 > MAX_REGEX_INPUT:
        return False
    rx = _compiled.get(pattern)
    if rx is None:
        try:
            rx = re.compile(_python_pattern(pattern), re.ASCII)
        except re.error:
            rx = False
        if len(_compiled) > 500:
            _compiled.clear()
        _compiled[pattern] = rx
    return bool(rx) and rx.search(value) is not None


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


def _in(value, options) -> bool:
    if _type(value) == _ARRAY:
        return any(json_equal(v, o) for v in value for o in options)
    return any(json_equal(value, o) for o in options)


def _operator(op, value, arg) -> bool:
    if op == "$eq":
        return json_equal(value, arg)
    if op == "$ne":
        return not json_equal(value, arg)
    if op in _ORDER_OPS:
        c = _compare(value, arg)
        return c is not None and _ORDER_OPS[op](c)
    if op in ("$in", "$nin"):
        return _type(arg) == _ARRAY and _in(value, arg) == (op == "$in")
    if op == "$exists":
        return _type(arg) == _BOOL and (value is not None) == arg
    if op == "$regex":
        return _type(arg) == _STRING and _type(value) == _STRING and _regex(arg, value)
    if op == "$not":
        return not _value_matches(arg, value)
    if op == "$size":
        return _type(value) == _ARRAY and _value_matches(arg, len(value))
    if op == "$elemMatch":
        if _type(value) != _ARRAY or _type(arg) != _OBJECT:
            return False
        if _is_operators(arg):
            return any(_value_matches(arg, v) for v in value)
        return any(evaluate_condition(v, arg) for v in value)
    if op == "$all":
        if _type(value) != _ARRAY or _type(arg) != _ARRAY:
            return False
        return all(any(_value_matches(a, v) for v in value) for a in arg)
    if op in _VERSION_OPS:
        if _type(value) != _STRING or _type(arg) != _STRING:
            return False
        a, b = version_key(value), version_key(arg)
        return _VERSION_OPS[op]((a > b) - (a < b))
    return False  # unknown operators never match


def _value_matches(condition, value) -> bool:
    if _is_operators(condition):
        return all(_operator(op, value, arg) for op, arg in condition.items())
    return json_equal(value, condition)


def evaluate_condition(attributes, condition) -> bool:
    """Whether `attributes` (a dict) satisfy `condition` (a dict). Never raises on bad input."""
    if _type(condition) != _OBJECT:
        return False
    try:
        return _evaluate(attributes, condition)
    except RecursionError:
        return False


def _evaluate(attributes, condition) -> bool:
    for key, arg in condition.items():
        if key in ("$and", "$or", "$nor"):
            if _type(arg) != _ARRAY:
                return False
            if key == "$and":
                ok = all(evaluate_condition(attributes, c) for c in arg)
            else:
                ok = not arg or any(evaluate_condition(attributes, c) for c in arg)
                ok = ok if key == "$or" else not ok
        elif key == "$not":
            ok = _type(arg) == _OBJECT and not evaluate_condition(attributes, arg)
        else:
            ok = _value_matches(arg, get_path(attributes, key))
        if not ok:
            return False
    return True


def with_user_id(attributes, user_id):
    """Attributes as conditions see them: `id` defaults to the user id."""
    if attributes is None:
        return {"id": user_id}
    if "id" in attributes:
        return attributes
    return {**attributes, "id": user_id}
