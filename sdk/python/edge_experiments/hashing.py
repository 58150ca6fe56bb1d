"""Bucketing, namespace and rollout hashes of docs/contract.md (docs/bucketing.md, docs/targeting.md)."""

_OFFSET = 0x811C9DC5
_PRIME = 0x01000193


def fnv1a32(s: str) -> int:
    """32-bit FNV-1a over the UTF-16 code units of s (as JavaScript strings are)."""
    data = s.encode("utf-16-le", "surrogatepass")
    h = _OFFSET
    for lo, hi in zip(data[0::2], data[1::2]):
        h = ((h ^ (lo | hi << 8)) * _PRIME) & 0xFFFFFFFF
    return h


def basis_points(percent) -> int:
    """A percentage as integer hundredths of a percent, half up in doubles (not Python's round)."""
    if not percent > 0:
        return 0
    if percent >= 100:
        return 10000
    return int(percent * 100 + 0.5)


def bucket(seed: str, user_id: str) -> int:
    """The user's bucket 0..9999 for an experiment seed or a flag key."""
    return fnv1a32(str(fnv1a32(seed + user_id))) % 10000


def pick_variant(b: int, coverage, percentages) -> "int | None":
    c, start = basis_points(coverage), 0
    for i, pct in enumerate(percentages):
        p = basis_points(pct)
        if b >= start and (b - start) * 10000 < c * p:
            return i
        start += p
    return None


def namespace_position(user_id: str, key: str) -> float:
    """GrowthBook's namespace hash: one FNV-1a pass, 1000 buckets, in [0, 1)."""
    return (fnv1a32(user_id + "__" + key) % 1000) / 1000


def in_namespace(user_id: str, namespace) -> bool:
    return namespace["start"] <= namespace_position(user_id, namespace["key"]) < namespace["end"]


def in_rollout(flag_key: str, user_id: str, rollout_percentage) -> bool:
    return bucket(flag_key, user_id) < basis_points(rollout_percentage)
