#!/usr/bin/env python3
"""Independent reference implementation of the bucketing in docs/bucketing.md.

Writes test/fixtures/bucketing.json, the golden cases that src/evaluation/bucketing.ts,
evaluate.ts and the SDK replay. Written from the specification (docs/bucketing.md), not
translated from the TypeScript, so that a shared misreading would have to happen twice.
Standard library only.

    python3 scripts/gen_bucketing_vectors.py        # rewrite the fixture
    python3 scripts/gen_bucketing_vectors.py --check # exit 1 if the fixture is stale
"""
import json

from golden_common import BUCKETS, bucket_bp, fnv1a32, to_bp, write_fixture


def pick_variant(bp: int, coverage: float, percentages: list) -> "int | None":
    c = to_bp(coverage)
    start = 0
    for i, pct in enumerate(percentages):
        p = to_bp(pct)
        # Exact rational form of start <= n < start + coverage/100 * pct/100.
        if start <= bp and (bp - start) * BUCKETS < c * p:
            return i
        start += p
    return None


SEEDS = ["checkout_button", "exp-2024-price", "", "ünïcödé-séed", "🧪seed"]

USER_IDS = [
    # ASCII, including sequential ids (the case double hashing exists for)
    "user_1", "user_2", "user_3", "user_10", "user_100", "42", "0",
    "alice@example.com", "8f14e45f-ceea-467f-a0e6-3b1c2b1f9a7d",
    "a", " ", "-", "A very ordinary user id with spaces",
    # non-ASCII in the BMP
    "é", "José", "Müller", "Ünïcode", "用户123", "ユーザー", "사용자", "Ωμέγα",
    # astral characters: surrogate pairs
    "😀", "user_🚀", "👩‍👩‍👧‍👦", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    # empty-ish and long
    "", "\t", "\u0000", "x" * 256, "long-" + "0123456789" * 50,
]

SPLITS = [
    [50, 50],
    [50, 30, 20],
    [34, 33, 33],
    [90, 10],
    [1, 99],
    [25, 25, 25, 25],
    [33.34, 33.33, 33.33],
]

COVERAGES = [100, 50, 10, 0, 33.3]


def cases():
    out = []
    i = 0
    for seed in SEEDS:
        for user in USER_IDS:
            # Rotate through coverages and splits so every pair appears without a full
            # cross product; then add the full cross product for a few users below.
            coverage = COVERAGES[i % len(COVERAGES)]
            split = SPLITS[(i // len(COVERAGES)) % len(SPLITS)]
            out.append(case(seed, user, coverage, split))
            i += 1
    for seed in SEEDS[:2]:
        for user in ["user_1", "José", "😀", ""]:
            for coverage in COVERAGES:
                for split in SPLITS:
                    out.append(case(seed, user, coverage, split))
    # Users chosen to sit exactly on range edges, where float arithmetic would go wrong.
    out.extend(edge_cases())
    return out


def case(seed, user, coverage, split):
    bp = bucket_bp(seed, user)
    return {
        "seed": seed,
        "user_id": user,
        "fnv1a32_of_seed_user": fnv1a32(seed + user),
        "bucket": bp / BUCKETS,
        "coverage": coverage,
        "percentages": split,
        "variant_index": pick_variant(bp, coverage, split),
    }


def edge_cases():
    """For each target bucket, find a user id landing there, at and just below range edges."""
    targets = {
        # (coverage, split): buckets to hit
        (100, (50, 50)): [4999, 5000],
        (50, (50, 50)): [2499, 2500, 4999, 5000, 7499, 7500],
        (33.3, (34, 33, 33)): [1131, 1132, 1133, 3399, 3400, 4498, 4499, 6700, 7798, 7799],
        (10, (1, 99)): [9, 10, 100, 1089, 1090],
    }
    wanted = {bp for bps in targets.values() for bp in bps}
    found = {}
    k = 0
    while len(found) < len(wanted):
        user = f"edge_{k}"
        bp = bucket_bp("edges", user)
        if bp in wanted and bp not in found:
            found[bp] = user
        k += 1
    out = []
    for (coverage, split), bps in targets.items():
        for bp in bps:
            out.append(case("edges", found[bp], coverage, list(split)))
    return out


def raw_vectors():
    strings = ["", "a", "b", "c", "foo", "foobar", "chongo was here!\n", "é", "😀", "用户", "user_1"]
    return [{"input": s, "fnv1a32": fnv1a32(s)} for s in strings]


def self_check():
    # Canonical FNV-1a 32 vectors (Landon Curt Noll's test suite), ASCII so bytes = units.
    assert fnv1a32("") == 0x811C9DC5
    assert fnv1a32("a") == 0xE40C292C
    assert fnv1a32("foobar") == 0xBF9CF968
    assert to_bp(33.3) == 3330 and to_bp(33.34) == 3334 and to_bp(0.005) == 1
    # Raising coverage never moves an enrolled user.
    for bp in range(BUCKETS):
        for split in SPLITS:
            before = pick_variant(bp, 20, split)
            if before is not None:
                assert pick_variant(bp, 50, split) == before
                assert pick_variant(bp, 100, split) == before


def render():
    self_check()
    doc = {
        "description": (
            "Golden bucketing cases from scripts/gen_bucketing_vectors.py (independent Python "
            "implementation). fnv1a32 is over UTF-16 code units; bucket = "
            "(fnv1a32(str(fnv1a32(seed + user_id))) % 10000) / 10000; variant_index is null "
            "outside coverage. See docs/bucketing.md."
        ),
        "fnv1a32": raw_vectors(),
        "cases": cases(),
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def main():
    text = render()
    doc = json.loads(text)
    write_fixture(
        "bucketing.json",
        text,
        lambda path: f"wrote {path}: {len(doc['cases'])} cases, {len(doc['fnv1a32'])} raw vectors",
    )


if __name__ == "__main__":
    main()
