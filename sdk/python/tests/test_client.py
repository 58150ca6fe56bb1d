"""The client's HTTP behaviour against a fake transport: ETag revalidation and exposure batching."""
import json
import unittest

from edge_experiments import ExperimentClient, ExperimentClientError, ExposureReporter, PredictionReporter

CONFIG = {
    "generated_at": "2026-01-01T00:00:00.000Z",
    "experiments": [{
        "id": "e1", "key": "checkout", "status": "running", "seed": "checkout", "coverage": 100,
        "winner_variant_id": None, "targeting": {"country": "US"}, "namespace": None,
        "variants": [
            {"id": "c", "key": "control", "variant_name": "C", "variant_type": "control",
             "model_version": None, "config": {}, "traffic_percentage": 50},
            {"id": "t", "key": "treatment", "variant_name": "T", "variant_type": "treatment",
             "model_version": None, "config": {}, "traffic_percentage": 50},
        ],
    }],
    "flags": [{"key": "beta", "value_type": "boolean", "default_value": False, "enabled": True,
               "rules": [{"condition": None, "rollout_percentage": 100, "value": True}]}],
}


class FakeServer:
    """GET /config with an ETag (304 on a match) and POST /exposures answering 202."""

    def __init__(self, exposure_status=202):
        self.calls = []
        self.exposure_status = exposure_status
        self.version = 1

    def __call__(self, method, url, token, body=None, headers=None):
        self.calls.append({"method": method, "url": url, "token": token, "body": body, "headers": headers or {}})
        if method == "GET":
            etag = '"v%d"' % self.version
            if (headers or {}).get("If-None-Match") == etag:
                return 304, {}, b""
            return 200, {"ETag": etag}, json.dumps(CONFIG).encode()
        if self.exposure_status not in (201, 202):
            return self.exposure_status, {}, b"{}"
        if "predictions" in body:
            items = [dict(p, id="p%d" % i) for i, p in enumerate(body["predictions"])]
            return 201, {}, json.dumps({"accepted": len(items), "items": items}).encode()
        n = len(body["exposures"])
        return 202, {}, json.dumps({"accepted": n, "duplicates": 0, "rejected": []}).encode()


class ManualScheduler:
    def __init__(self):
        self.now = 1767225600.0  # 2026-01-01T00:00:00Z
        self.timers = []

    def clock(self):
        return self.now

    def __call__(self, fn, delay):
        timer = [self.now + delay, fn]
        self.timers.append(timer)
        return lambda: self.timers.remove(timer) if timer in self.timers else None

    def advance(self, seconds):
        self.now += seconds
        due = [t for t in self.timers if t[0] <= self.now]
        self.timers = [t for t in self.timers if t[0] > self.now]
        for _, fn in due:
            fn()


class ConfigRefresh(unittest.TestCase):
    def test_etag_and_304(self):
        server = FakeServer()
        client = ExperimentClient("https://x.test/", "tok", transport=server)
        self.assertIsNone(client.get_variant("checkout", "u"))
        self.assertTrue(client.refresh())
        self.assertEqual(server.calls[0]["url"], "https://x.test/api/v1/ab-testing/config")
        self.assertEqual(server.calls[0]["token"], "tok")
        self.assertNotIn("If-None-Match", server.calls[0]["headers"])
        self.assertFalse(client.refresh())
        self.assertEqual(server.calls[1]["headers"]["If-None-Match"], '"v1"')
        server.version = 2
        self.assertTrue(client.refresh())
        self.assertEqual(client.get_flag("beta", "u")["value"], True)

    def test_failure_keeps_the_config(self):
        server = FakeServer()
        client = ExperimentClient("https://x.test", "t", transport=server)
        client.refresh()

        def broken(*_args, **_kwargs):
            return 500, {}, b"oops"

        client._transport = broken
        with self.assertRaises(ExperimentClientError) as err:
            client.refresh()
        self.assertEqual(err.exception.status, 500)
        self.assertEqual(client.config, CONFIG)


class Exposures(unittest.TestCase):
    def test_batches_by_size_and_time(self):
        server, sched = FakeServer(), ManualScheduler()
        reporter = ExposureReporter("https://x.test", "t", max_batch=3, flush_interval=1.0,
                                    clock=sched.clock, scheduler=sched, transport=server)
        for i in range(4):
            reporter.add("e", "v", "u%d" % i)
        posts = [c for c in server.calls if c["method"] == "POST"]
        self.assertEqual([len(p["body"]["exposures"]) for p in posts], [3])
        self.assertEqual(posts[0]["url"], "https://x.test/api/v1/ab-testing/exposures")
        self.assertEqual(posts[0]["body"]["exposures"][0]["timestamp"], "2026-01-01T00:00:00.000Z")
        sched.advance(0.5)
        self.assertEqual(len([c for c in server.calls if c["method"] == "POST"]), 1)
        sched.advance(0.5)
        posts = [c for c in server.calls if c["method"] == "POST"]
        self.assertEqual([len(p["body"]["exposures"]) for p in posts], [3, 1])
        self.assertEqual(reporter.stats["accepted"], 4)

    def test_retries_5xx_and_drops_4xx(self):
        sched = ManualScheduler()
        server = FakeServer(503)
        failing = ExposureReporter("https://x.test", "t", clock=sched.clock, scheduler=sched, transport=server)
        failing.add("e", "v", "u1")
        failing.flush()
        self.assertEqual(failing.pending, 1)
        # The kept exposure goes out at the next flush once the server answers again: once, in order.
        server.exposure_status = 202
        failing.add("e", "v", "u2")
        self.assertEqual(failing.flush(), 2)
        posts = [c["body"]["exposures"] for c in server.calls if c["method"] == "POST"]
        self.assertEqual([[x["user_id"] for x in p] for p in posts], [["u1"], ["u1", "u2"]])
        self.assertEqual((failing.pending, failing.stats["sent"], failing.stats["failed_requests"]), (0, 2, 1))
        refused = ExposureReporter("https://x.test", "t", clock=sched.clock, scheduler=sched,
                                   transport=FakeServer(400))
        refused.add("e", "v", "u1")
        refused.flush()
        self.assertEqual((refused.pending, refused.stats["dropped"]), (0, 1))

    def test_client_reports_each_exposure_once(self):
        server, sched = FakeServer(), ManualScheduler()
        client = ExperimentClient("https://x.test", "t", initial_config=CONFIG, report_exposures=True,
                                  exposure_options={"clock": sched.clock, "scheduler": sched}, transport=server)
        for i in range(40):
            attrs = {"country": "US" if i % 2 == 0 else "FR"}
            client.get_variant("checkout", "user_%d" % i, attrs)
            client.get_variant("checkout", "user_%d" % i, attrs)
        self.assertEqual(client.flush_exposures(), 20)
        users = [e["user_id"] for c in server.calls if c["method"] == "POST" for e in c["body"]["exposures"]]
        self.assertEqual(sorted(users), sorted("user_%d" % i for i in range(0, 40, 2)))


class Predictions(unittest.TestCase):
    def reporter(self, server=None, **options):
        self.server, self.sched = server or FakeServer(), ManualScheduler()
        return PredictionReporter("https://x.test/", "t", clock=self.sched.clock, scheduler=self.sched,
                                  transport=self.server, **options)

    def posts(self):
        return [c for c in self.server.calls if c["method"] == "POST"]

    def test_batches_by_size_and_time_to_the_predictions_route(self):
        reporter = self.reporter(max_batch=2, flush_interval=1.0)
        reporter.add("churn", 0.9, prediction={"churn": True}, model_version="v2", latency_ms=12.5)
        reporter.add("churn", 0.2)
        reporter.add("fraud", 1)
        self.assertEqual([len(p["body"]["predictions"]) for p in self.posts()], [2])
        self.assertEqual(self.posts()[0]["url"], "https://x.test/api/v1/streaming-analytics/predictions")
        self.assertEqual(self.posts()[0]["body"]["predictions"], [
            {"model_name": "churn", "prediction": {"churn": True}, "confidence": 0.9,
             "timestamp": "2026-01-01T00:00:00.000Z", "model_version": "v2", "latency_ms": 12.5},
            # Optional fields left out are not sent; a missing prediction is null.
            {"model_name": "churn", "prediction": None, "confidence": 0.2, "timestamp": "2026-01-01T00:00:00.000Z"},
        ])
        self.sched.advance(1.0)
        self.assertEqual([len(p["body"]["predictions"]) for p in self.posts()], [2, 1])
        self.assertEqual((reporter.stats["sent"], reporter.stats["accepted"], reporter.pending), (3, 3, 0))

    def test_retries_5xx_and_drops_4xx(self):
        failing = self.reporter(FakeServer(503))
        failing.add("m", 0.5)
        self.assertEqual((failing.flush(), failing.pending, failing.stats["failed_requests"]), (0, 1, 1))
        self.server.exposure_status = 202  # the server is back: the kept prediction goes out
        self.assertEqual((failing.flush(), failing.pending, failing.stats["sent"]), (1, 0, 1))
        refused = self.reporter(FakeServer(400))
        refused.add("m", 0.5)
        refused.flush()
        self.assertEqual((refused.pending, refused.stats["dropped"]), (0, 1))

    def test_the_queue_is_bounded(self):
        reporter = self.reporter(FakeServer(503), max_batch=2, max_queue=3)
        for i in range(6):
            reporter.add("m", i / 10)
        self.assertEqual((reporter.pending, reporter.stats["dropped"]), (3, 3))

    def test_refuses_what_the_server_would_refuse_before_queueing(self):
        reporter = self.reporter()
        deep = []  # 32 levels, the server's limit (src/http/json.ts); [deep] is one too many
        for _ in range(31):
            deep = [deep]
        cases = [
            (("", 0.5), {}), (("m" * 201, 0.5), {}), ((None, 0.5), {}),
            (("m", 1.5), {}), (("m", -0.1), {}), (("m", float("nan")), {}), (("m", True), {}), (("m", "0.5"), {}),
            (("m", 0.5), {"latency_ms": -1}), (("m", 0.5), {"latency_ms": 1e16}), (("m", 0.5), {"latency_ms": float("inf")}),
            (("m", 0.5), {"model_version": "v" * 201}), (("m", 0.5), {"event_id": ""}),
            (("m", 0.5), {"features": [1]}), (("m", 0.5), {"prediction": {1, 2}}), (("m", 0.5), {"prediction": float("nan")}),
            (("m", 0.5), {"prediction": [deep]}),
            # Rules the server gained (issue 16's audit): control characters, 32 KiB of keys and
            # strings, a top-level __proto__ key, and times more than 5 minutes ahead.
            (("m\x00", 0.5), {}), (("m", 0.5), {"prediction": "x" * 32768}),
            (("m", 0.5), {"features": {"a": "x" * 32766}}), (("m", 0.5), {"features": {"__proto__": 1}}),
            (("m", 0.5), {"timestamp": "2026-01-01"}), (("m", 0.5), {"timestamp": "2026-01-01T00:00:00"}),
            (("m", 0.5), {"timestamp": "2026-01-01T00:10:00Z"}), (("m", 0.5), {"timestamp": 1767225600000 + 600000}),
        ]
        for args, kwargs in cases:
            with self.subTest(args=args, kwargs=kwargs):
                with self.assertRaises(ValueError):
                    reporter.add(*args, **kwargs)
        self.assertEqual(reporter.pending, 0)
        # The edges themselves are accepted.
        reporter.add("m" * 200, 0, latency_ms=1e15, prediction=deep, event_id="e" * 128)
        reporter.add("m", 1, latency_ms=0)
        reporter.add("m", 1, prediction="x" * 32767, features={"a": "x" * 32765})
        reporter.add("m", 1, timestamp="2026-01-01T00:04:00.5Z")
        reporter.add("m", 1, timestamp="2026-01-01T01:04:00+01:00")
        reporter.add("m", 1, timestamp=1767225600000 + 240000)
        self.assertEqual(reporter.pending, 6)


class ExposedUsers(unittest.TestCase):
    """Targeting changed on a running experiment never takes an exposed user out (docs/targeting.md)."""

    def test_this_client_remembers_its_answers(self):
        client = ExperimentClient("https://x.test", "t", initial_config=CONFIG)
        first = client.get_variant("checkout", "u-1", {"country": "US"})
        self.assertTrue(first["in_experiment"])
        # `reason` is always there, None for an exposure, as the server answers (no KeyError).
        self.assertIsNone(first["reason"])
        # The user moved to FR: targeting (country US) leaves them out, their earlier answer keeps them.
        again = client.get_variant("checkout", "u-1", {"country": "FR"})
        self.assertEqual((again["variant_key"], again["in_experiment"], again["reason"]),
                         (first["variant_key"], True, None))
        # A user this client never answered in-experiment is left out, with the reason.
        other = client.get_variant("checkout", "u-2", {"country": "FR"})
        self.assertEqual((other["variant_key"], other["in_experiment"], other["reason"]), ("control", False, "targeting"))

    def test_exposed_carries_answers_given_elsewhere(self):
        client = ExperimentClient("https://x.test", "t", initial_config=CONFIG)
        bucketed = ExperimentClient("https://x.test", "t", initial_config=CONFIG).get_variant(
            "checkout", "u-3", {"country": "US"})["variant_key"]
        other = "control" if bucketed == "treatment" else "treatment"
        kept = client.get_variant("checkout", "u-3", {"country": "FR"}, exposed={"checkout": bucketed})
        self.assertEqual((kept["variant_key"], kept["in_experiment"]), (bucketed, True))
        # A key naming a variant the user is not bucketed in cannot move them.
        fresh = ExperimentClient("https://x.test", "t", initial_config=CONFIG)
        moved = fresh.get_variant("checkout", "u-3", {"country": "FR"}, exposed={"checkout": other})
        self.assertEqual((moved["variant_key"], moved["in_experiment"], moved["reason"]), ("control", False, "targeting"))
        self.assertEqual([a["in_experiment"] for a in fresh.get_assignments("u-3", {"country": "FR"},
                                                                           exposed={"checkout": bucketed})], [True])


def _stopped(key, status, winner, variant):
    return {"id": "e-" + key, "key": key, "status": status, "seed": key, "coverage": 100,
            "winner_variant_id": winner, "variants": [variant]}


class StoppedExperiments(unittest.TestCase):
    """GET /config's stopped_experiments: answered as POST /assign answers them, never as exposures."""

    def test_paused_answers_the_control_and_completed_the_winner(self):
        control = {"id": "c2", "key": "control", "variant_name": "C", "variant_type": "control",
                   "model_version": None, "config": {}, "traffic_percentage": 50}
        winner = {"id": "t3", "key": "treatment", "variant_name": "T", "variant_type": "treatment",
                  "model_version": "v2", "config": {"color": "green"}, "traffic_percentage": 50}
        config = dict(CONFIG, stopped_experiments=[
            _stopped("paused_x", "paused", None, control),
            _stopped("won_x", "completed", "t3", winner),
            _stopped("done_x", "completed", None, dict(control, id="c4")),
        ])
        sched = ManualScheduler()
        client = ExperimentClient("https://x.test", "t", initial_config=config, report_exposures=True,
                                  exposure_options={"clock": sched.clock, "scheduler": sched}, transport=FakeServer())
        answers = [client.get_variant(k, "u-1") for k in ("paused_x", "won_x", "done_x")]
        self.assertEqual([(a["variant_key"], a["in_experiment"], a["reason"]) for a in answers],
                         [("control", False, "paused"), ("treatment", False, "completed"),
                          ("control", False, "completed")])
        self.assertEqual(answers[1]["config"], {"color": "green"})
        self.assertEqual(answers[1]["model_version"], "v2")
        # Not an exposure: nothing queued. get_assignments covers the running experiments only.
        self.assertEqual(client.exposure_stats["queued"], 0)
        client.get_variant("checkout", "u-1", {"country": "US"})  # the running one is reported
        self.assertEqual(client.exposure_stats["queued"], 1)
        self.assertEqual([a["experiment_key"] for a in client.get_assignments("u-1", {"country": "US"})], ["checkout"])

    def test_a_config_without_the_field_still_loads(self):
        client = ExperimentClient("https://x.test", "t", initial_config=CONFIG)
        self.assertIsNone(client.get_variant("paused_x", "u-1"))


if __name__ == "__main__":
    unittest.main()
