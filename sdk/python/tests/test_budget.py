"""The step budget's parts on their own (the golden file replays whole cases: test_golden.py)."""
import json
import unittest
from pathlib import Path

from edge_experiments import STEP_BUDGET, Budget, budget_shares, evaluate_condition

INVALID = json.loads((Path(__file__).resolve().parents[3] / "test" / "fixtures" / "targeting.json")
                     .read_text(encoding="utf-8"))["invalid"]


class BudgetShares(unittest.TestCase):
    # The table of test/unit/budget-shares.test.ts. uses[i]: the steps evaluation i takes if
    # allowed (None: it runs out of whatever it gets).
    CASES = [
        (1000, [1, 1, 1, 1], [625, 749, 873, 997]),
        (1000, [None, 1, 1, 1], [625, 125, 249, 373]),
        (1000, [None, None, None, 1], [625, 125, 125, 125]),
        (1000, [1, None], [750, 999]),
        (1000, [None], [1000]),
        (10, [None] * 12, [10] + [0] * 11),
    ]

    def test_table(self):
        for total, uses, granted in self.CASES:
            with self.subTest(total=total, uses=uses):
                share, seen, used = budget_shares(total, len(uses)), [], 0
                for want in uses:
                    budget = share()
                    seen.append(budget.steps)
                    # As the evaluator spends: one step at a time; an exhausted budget ends at -1.
                    take = budget.steps + 1 if want is None else min(want, budget.steps + 1)
                    budget.steps -= take
                    used += min(take, seen[-1])
                self.assertEqual(seen, granted)
                self.assertLessEqual(used, total)

    def test_each_later_evaluation_keeps_its_floor(self):
        for count in (1, 2, 5, 20, 100):
            share = budget_shares(STEP_BUDGET, count)
            for _ in range(count):
                budget = share()
                self.assertGreaterEqual(budget.steps, STEP_BUDGET // (2 * count))
                budget.steps = -1


class Regex(unittest.TestCase):
    def test_an_accepted_pattern_that_backtracks_in_re_stops_at_the_budget(self):
        # Python's re took 52 s on 100 characters (the old SDK); the linear engine runs out of steps.
        budget = Budget()
        self.assertFalse(evaluate_condition({"ua": "a" * 4096}, {"ua": {"$regex": "a*a*a*a*a*a*b"}}, budget))
        self.assertEqual(budget.steps, -1)

    def test_refused_patterns_never_match_and_cost_one_step(self):
        # What the server's engine refuses (an unvalidated config) does not match here either,
        # even where re would find a match: "(a+)+$" on "aaa".
        patterns = [c["condition"]["a"]["$regex"] for c in INVALID
                    if c["path"] == ["a", "$regex"] and isinstance(c["condition"]["a"]["$regex"], str)]
        self.assertGreaterEqual(len(patterns), 10)
        for pattern in patterns:
            with self.subTest(pattern=pattern):
                budget = Budget(10)
                self.assertFalse(evaluate_condition({"a": "aaa(a)b"}, {"a": {"$regex": pattern}}, budget))
                self.assertEqual(budget.steps, 9)


if __name__ == "__main__":
    unittest.main()
