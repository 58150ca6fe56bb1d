"""Replays the golden files the TypeScript side replays (test/fixtures/*.json)."""
import json
import unittest
from pathlib import Path

from edge_experiments import (STEP_BUDGET, Budget, ExperimentClient, evaluate_condition, evaluate_flags, fnv1a32,
                              in_namespace, namespace_position)
from edge_experiments.hashing import bucket, pick_variant

FIXTURES = Path(__file__).resolve().parents[3] / "test" / "fixtures"
TARGETING = json.loads((FIXTURES / "targeting.json").read_text(encoding="utf-8"))
BUCKETING = json.loads((FIXTURES / "bucketing.json").read_text(encoding="utf-8"))


def experiment(e):
    return {
        "id": "id_" + e["seed"], "key": e["seed"], "status": "running", "seed": e["seed"],
        "coverage": e["coverage"], "winner_variant_id": None, "targeting": e["targeting"],
        "namespace": e["namespace"],
        "variants": [{"id": "v%d" % j, "key": "v%d" % j, "variant_name": "V%d" % j,
                      "variant_type": "control" if j == 0 else "treatment", "model_version": None,
                      "config": {}, "traffic_percentage": p} for j, p in enumerate(e["percentages"])],
    }


class GoldenConditions(unittest.TestCase):
    def test_enough_cases(self):
        self.assertGreaterEqual(len(TARGETING["conditions"]), 300)
        self.assertGreaterEqual(len(TARGETING["flags"]) + len(TARGETING["namespaces"]), 200)

    def test_every_condition(self):
        for case in TARGETING["conditions"]:
            with self.subTest(case["name"]):
                self.assertIs(evaluate_condition(case["attributes"], case["condition"]), case["match"])

    def test_every_condition_through_the_client(self):
        experiments = [dict(experiment({"seed": "c%d" % i, "coverage": 100, "percentages": [100],
                                        "targeting": c["condition"], "namespace": None}))
                       for i, c in enumerate(TARGETING["conditions"])]
        client = ExperimentClient("https://x.test", "t", initial_config={"experiments": experiments})
        for i, case in enumerate(TARGETING["conditions"]):
            attrs = case["attributes"] if "id" in case["attributes"] else dict(case["attributes"], id=None)
            with self.subTest(case["name"]):
                answer = client.get_variant("c%d" % i, "someone", attrs)
                self.assertIs(answer["in_experiment"], case["match"])
                self.assertEqual(answer["reason"], None if case["match"] else "targeting")


class GoldenFlagsNamespacesExperiments(unittest.TestCase):
    def test_every_flag(self):
        flags = {c["flag"]["key"]: c["flag"] for c in TARGETING["flags"]}
        client = ExperimentClient("https://x.test", "t", initial_config={"experiments": [], "flags": list(flags.values())})
        for case in TARGETING["flags"]:
            with self.subTest(flag=case["flag"]["key"], user=case["user_id"]):
                self.assertEqual(client.get_flag(case["flag"]["key"], case["user_id"], case["attributes"]), case["result"])
        self.assertEqual(client.get_flag("nope", "u"), {"value": None, "rule_index": None, "reason": "not_found"})

    def test_every_namespace(self):
        for case in TARGETING["namespaces"]:
            ns = case["namespace"]
            with self.subTest(user=case["user_id"], key=ns["key"]):
                self.assertEqual(fnv1a32(case["user_id"] + "__" + ns["key"]), case["fnv1a32"])
                self.assertEqual(namespace_position(case["user_id"], ns["key"]), case["position"])
                self.assertIs(in_namespace(case["user_id"], ns), case["in_namespace"])

    def test_every_targeted_experiment(self):
        experiments = {c["experiment"]["seed"]: experiment(c["experiment"]) for c in TARGETING["experiments"]}
        client = ExperimentClient("https://x.test", "t", initial_config={"experiments": list(experiments.values())})
        for case in TARGETING["experiments"]:
            with self.subTest(experiment=case["experiment"]["seed"], user=case["user_id"]):
                answer = client.get_variant(case["experiment"]["seed"], case["user_id"], case["attributes"])
                self.assertEqual(answer["variant_id"], "v%d" % case["variant_index"])
                self.assertIs(answer["in_experiment"], case["in_experiment"])
                self.assertEqual(answer["reason"], case["reason"])

    def test_every_exposed_user_case(self):
        experiments = {c["experiment"]["seed"]: experiment(c["experiment"]) for c in TARGETING["exposed"]}
        client = ExperimentClient("https://x.test", "t", initial_config={"experiments": list(experiments.values())})
        for case in TARGETING["exposed"]:
            seed, exposed = case["experiment"]["seed"], {case["experiment"]["seed"]: case["exposed"]}
            want = ("v%d" % case["variant_index"], case["in_experiment"], case["reason"])
            with self.subTest(experiment=seed, user=case["user_id"], shown=case["exposed"]):
                a = client.get_variant(seed, case["user_id"], case["attributes"], exposed)
                self.assertEqual((a["variant_id"], a["in_experiment"], a["reason"]), want)
                b = next(x for x in client.get_assignments(case["user_id"], case["attributes"], exposed)
                         if x["experiment_key"] == seed)
                self.assertEqual((b["variant_id"], b["in_experiment"], b["reason"]), want)

    def test_bucketing_golden_file(self):
        for v in BUCKETING["fnv1a32"]:
            self.assertEqual(fnv1a32(v["input"]), v["fnv1a32"])
        for case in BUCKETING["cases"]:
            with self.subTest(seed=case["seed"], user=case["user_id"]):
                b = bucket(case["seed"], case["user_id"])
                self.assertEqual(b / 10000, case["bucket"])
                self.assertEqual(pick_variant(b, case["coverage"], case["percentages"]), case["variant_index"])


class GoldenStepBudget(unittest.TestCase):
    """The step budget cases (docs/targeting.md 2.1): the same steps, and the same answer when they
    run out, as the TypeScript evaluator and SDK."""
    BUDGET = TARGETING["budget"]

    def test_every_condition_with_its_budget(self):
        for case in self.BUDGET["conditions"]:
            with self.subTest(case["name"]):
                given = Budget(case["steps"])
                self.assertEqual((evaluate_condition(case["attributes"], case["condition"], given), given.steps),
                                 (case["match"], case["left"]))

    def test_every_condition_given_the_default_budget(self):
        cases = [c for c in self.BUDGET["conditions"] if c["steps"] == STEP_BUDGET]
        self.assertGreaterEqual(len(cases), 10)
        experiments = [experiment({"seed": "b%d" % i, "coverage": 100, "percentages": [100],
                                   "targeting": c["condition"], "namespace": None}) for i, c in enumerate(cases)]
        client = ExperimentClient("https://x.test", "t", initial_config={"experiments": experiments})
        for i, case in enumerate(cases):
            with self.subTest(case["name"]):
                self.assertIs(evaluate_condition(case["attributes"], case["condition"]), case["match"])
                answer = client.get_variant("b%d" % i, "someone", case["attributes"])
                self.assertEqual((answer["in_experiment"], answer["reason"]),
                                 (case["match"], None if case["match"] else "targeting"))

    def test_every_flag_whose_rules_share_its_budget(self):
        flags = self.BUDGET["flags"]
        client = ExperimentClient("https://x.test", "t", initial_config={"experiments": [], "flags": flags["flags"]})
        for case in flags["cases"]:
            with self.subTest(flag=case["key"], user=case["user_id"]):
                self.assertEqual(client.get_flag(case["key"], case["user_id"], case["attributes"]), case["result"])

    def test_every_set_of_flags_sharing_one_budget(self):
        shared = self.BUDGET["shared_flags"]
        client = ExperimentClient("https://x.test", "t", initial_config={"experiments": [], "flags": shared["flags"]})
        for case in shared["cases"]:
            with self.subTest(keys=case["keys"], user=case["user_id"]):
                self.assertEqual(client.get_flags(case["user_id"], case["attributes"], keys=case["keys"]),
                                 case["result"])
                self.assertEqual(evaluate_flags(shared["flags"], case["user_id"], case["attributes"], case["keys"]),
                                 case["result"])

    def test_every_set_of_experiments_sharing_one_budget(self):
        shared = self.BUDGET["shared_experiments"]
        config = {"experiments": [experiment(e) for e in shared["experiments"]]}
        for case in shared["cases"]:
            with self.subTest(user=case["user_id"]):
                # A fresh client: one that answered this user before would keep them in.
                client = ExperimentClient("https://x.test", "t", initial_config=config)
                got = [(a["experiment_key"], a["variant_id"], a["in_experiment"], a["reason"])
                       for a in client.get_assignments(case["user_id"], case["attributes"])]
                self.assertEqual(got, [(r["seed"], "v%d" % r["variant_index"], r["in_experiment"], r["reason"])
                                       for r in case["results"]])


if __name__ == "__main__":
    unittest.main()
