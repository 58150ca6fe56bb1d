"""Numbers compare as JavaScript's doubles, for what the golden file (JSON) cannot carry: a NaN or an
infinity a caller passes, and Python ints against a config as the server serves it. The cases past
2**53 that JSON can carry are golden cases (test/fixtures/targeting.json, "big integer: ...")."""
import json
import math
import unittest

from edge_experiments import ExperimentClient, evaluate_condition

BIG = 2**53

# (attributes, condition, whether JavaScript's evaluator matches)
CASES = [
    # NaN has no order and equals nothing (JavaScript: every comparison false, === false).
    ({"n": math.nan}, {"n": {"$gte": 1}}, False),
    ({"n": math.nan}, {"n": {"$lte": 1}}, False),
    ({"n": math.nan}, {"n": {"$gt": -math.inf}}, False),
    ({"n": math.nan}, {"n": {"$ne": 1}}, True),
    ({"n": math.nan}, {"n": {"$in": [0, 1.5]}}, False),
    # One NaN object on both sides (a condition built in Python): still unequal, as NaN === NaN is false.
    ({"n": math.nan}, {"n": math.nan}, False),
    ({"n": [math.nan]}, {"n": {"$in": [[math.nan]]}}, False),
    # Infinities a caller passes (JSON.parse gives them for 1e999).
    ({"n": math.inf}, {"n": {"$gt": 1.7976931348623157e308}}, True),
    ({"n": math.inf}, {"n": {"$gte": 10**400}}, True),
    ({"n": -math.inf}, {"n": {"$lt": -(10**400)}}, False),
    ({"n": 10**400}, {"n": {"$eq": 10**401}}, True),  # both Infinity in JavaScript
    ({"n": 2**1024 - 2**970 - 1}, {"n": 1.7976931348623157e308}, True),  # the largest double, not Infinity
    ({"n": 2**1024 - 2**970}, {"n": {"$gt": 1.7976931348623157e308}}, True),  # rounds up to Infinity
    # Python ints past 2**53 against the double a config holds.
    ({"account_id": 9007199254740993}, {"account_id": 9007199254740992}, True),
    ({"account_id": 9007199254740993}, {"account_id": {"$gt": 9007199254740992.0}}, False),
    ({"ids": (1, BIG + 1)}, {"ids": {"$all": [BIG]}}, True),  # a tuple attribute is an array
    # bools stay bools: never numbers, whatever their Python value.
    ({"n": True}, {"n": 1}, False),
    ({"n": 1}, {"n": {"$in": [True]}}, False),
    ({"n": True}, {"n": {"$gt": 0}}, False),
    ({"n": False}, {"n": {"$lt": 1}}, False),
    ({"n": True}, {"n": True}, True),
]


class JavaScriptNumbers(unittest.TestCase):
    def test_every_case(self):
        for i, (attributes, condition, match) in enumerate(CASES):
            with self.subTest(case=i, condition=repr(condition)[:60]):
                self.assertIs(evaluate_condition(attributes, condition), match)

    def test_a_flag_rule_from_served_json_takes_an_int_past_2_53(self):
        # The server parsed the rule's 9007199254740993 into a double and serves it as ...992.
        served = ('{"experiments": [], "flags": [{"key": "vip", "value_type": "boolean", "default_value": false,'
                  ' "enabled": true, "rules": [{"condition": {"account_id": {"$in": [9007199254740992]}},'
                  ' "rollout_percentage": 100, "value": true}]}]}')
        client = ExperimentClient("https://x.test", "t", initial_config=json.loads(served))
        self.assertEqual(client.get_flag("vip", "u1", {"account_id": 9007199254740993}),
                         {"value": True, "rule_index": 0, "reason": "rule"})
        self.assertEqual(client.get_flag("vip", "u1", {"account_id": 9007199254740994})["reason"], "default")


if __name__ == "__main__":
    unittest.main()
