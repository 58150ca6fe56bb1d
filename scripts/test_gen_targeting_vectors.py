"""The targeting reference (gen_targeting_vectors.py) on its own: its regex search on what broke it,
and the fixture it writes. `npm run test:python` runs it after the SDK's tests."""
import unittest
import warnings
from pathlib import Path

import gen_targeting_vectors as ref

FIXTURE = Path(__file__).resolve().parents[1] / "test" / "fixtures" / "targeting.json"


def states(pattern):
    """The states of the reference's NFA for `pattern`, its match state included."""
    entry, holes = ref.fragment(ref.parse_pattern(pattern))
    match = ref.St("match")
    ref.patch(holes, match)
    seen, todo = set(), [entry or match]
    while todo:
        s = todo.pop()
        if s is not None and id(s) not in seen:
            seen.add(id(s))
            todo += [s.out, s.other]
    return len(seen)


class Regex(unittest.TestCase):
    def test_what_hung_the_fuzz_costs_at_most_two_steps_per_state_and_position(self):
        # npm run fuzz:targeting, seed 1 (with eb80c51's generator), condition 883: `found` on
        # "x" * 4096 never came back from the reference's re.search, which backtracks: the class* twice
        # and x+ share the x's in O(L^3) ways at each of L starts. Minimised: the same shape with {2}
        # (nested repetition: refused when saved, which the fuzz did not check before asking the
        # reference), and an accepted pattern of the same cost. The NFA search costs at most
        # 2 x states x (L + 1) steps (docs/targeting.md 2.1), whatever the pattern.
        found = "(?:[^!--a]*||\\r\\|?([\\-\\-][^^._]+?\\W|.)){2}x+A"
        self.assertEqual((states("x*x*x+A"), states("(?:x*|.){2}x+A")), (12, 16))  # x* 3, x+ 4, A, match; 1 split
        # No subTest: the first failure must end the test, before the plain answer below, which an
        # unbounded search would never give.
        for pattern in ("x*x*x+A", "(?:x*|.){2}x+A", found):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # re on [^!--a]: "possible set difference"
                meter = ref.Meter(10**9)
                self.assertFalse(ref.regex(pattern, "x" * 4096, meter), pattern)
            self.assertLessEqual(meter.used, 2 * states(pattern) * 4097, pattern)
        # The case as the fuzz asked it (the reference's plain answer; 4096 UTF-16 units).
        self.assertFalse(ref.matches({"s": "x" * 4088 + "_\t : \v2-"}, {"s": {"$regex": found}}))

    def test_empty_options_go_straight_on(self):
        # (|x), (?:) and the like: the engine accepts them; the reference's NFA left the branch of an
        # empty option unlinked (an AttributeError in the fuzz, once the plain answer used it).
        for pattern, s, want in [("(|x)", "", True), ("(?:|[w])", "", True), ("\\D{2}(|)", "_\v", True),
                                 ("a(|b|)c", "abc", True), ("a(|b|)c", "abbc", False), ("(x|)y", "z", False),
                                 ("a(?:)*b", "ab", True), ("a(?:){2,5}b", "ab", True), ("^(?:)?$", "", True)]:
            with self.subTest(pattern=pattern, s=s):
                self.assertIs(ref.nfa_search(pattern, s, ref.Meter(10**6)), want)
                self.assertIs(ref.regex(pattern, s), want)



class Numbers(unittest.TestCase):
    def test_nan_is_ordered_against_nothing(self):
        # JSON carries no NaN, but a caller in Python can hand one in: JavaScript's NaN >= x and
        # NaN <= x are false (the TypeScript evaluator and the SDK answer so); the reference took
        # "neither < nor >" for equal and answered true to $gte and $lte.
        nan = float("nan")
        for op in ("$gt", "$gte", "$lt", "$lte"):
            for attr, arg in ((nan, 0), (nan, 1.5), (nan, 2**53 + 1), (1, nan)):
                with self.subTest(op=op, attr=attr, arg=arg):
                    self.assertFalse(ref.matches({"x": attr}, {"x": {op: arg}}))
                    self.assertFalse(ref.within({"x": attr}, {"x": {op: arg}}, ref.Meter(10**6)))
        self.assertTrue(ref.matches({"x": -0.0}, {"x": {"$gte": 0}}))  # -0 and 0 are equal

class Fixture(unittest.TestCase):
    def test_the_fixture_is_what_the_reference_writes(self):
        # render() also runs the reference's self-checks, among them every golden regex against re.
        self.assertEqual(ref.render(), FIXTURE.read_text(encoding="utf-8"))


if __name__ == "__main__":
    unittest.main()
