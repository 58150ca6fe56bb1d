"""Shared by the golden-fixture generators (gen_bucketing_vectors.py, gen_targeting_vectors.py).

The hashing is written here once, independently of the TypeScript it checks (docs/bucketing.md):
FNV-1a 32 over UTF-16 code units, basis points rounded half up. `write_fixture` is the generators'
common ending: write test/fixtures/<name>, or with --check exit non-zero when the file is stale.
"""

import math
import sys
from pathlib import Path

OFFSET = 0x811C9DC5
PRIME = 0x01000193
MASK = 0xFFFFFFFF
BUCKETS = 10000


def fnv1a32(s: str) -> int:
    # UTF-16 code units: little-endian pairs of bytes, one unit per pair. Characters
    # beyond the BMP become two units (a surrogate pair), exactly as in JavaScript.
    data = s.encode("utf-16-le", "surrogatepass")
    h = OFFSET
    for i in range(0, len(data), 2):
        h ^= data[i] | (data[i + 1] << 8)
        h = (h * PRIME) & MASK
    return h


def bucket_bp(seed: str, user_id: str) -> int:
    return fnv1a32(str(fnv1a32(seed + user_id))) % BUCKETS


def to_bp(percent: float) -> int:
    # Half up in IEEE doubles (Python's round() is half-to-even, so it is not used).
    if not percent > 0:
        return 0
    if percent >= 100:
        return BUCKETS
    return math.floor(percent * 100 + 0.5)


def write_fixture(name: str, text: str, summary) -> None:
    """Writes test/fixtures/<name> (or checks it with --check); `summary(path)` says what was written."""
    path = Path(__file__).resolve().parent.parent / "test" / "fixtures" / name
    if "--check" in sys.argv:
        if path.read_text(encoding="utf-8") != text:
            print(f"{path} is stale; rerun without --check", file=sys.stderr)
            sys.exit(1)
        return
    path.write_text(text, encoding="utf-8")
    print(summary(path))
