"""The client: fetches GET /config with ETag, evaluates locally, reports exposures in batches; and
a reporter that sends model predictions in batches."""
import json
import re
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

from .conditions import STEP_BUDGET, Budget, budget_shares
from .evaluation import evaluate_experiment, evaluate_flag, evaluate_flags

# The server takes 1 to 1000 exposures, and 1 to 1000 predictions, per request.
MAX_ITEMS_PER_REQUEST = 1000
# Prediction latencies are added into the server's float sums: bounded like metric values.
MAX_LATENCY_MS = 1e15
MAX_JSON_DEPTH = 32
# A prediction and its features: keys and strings, plus one per other value (src/http/json.ts).
MAX_ITEM_JSON_CHARS = 32 * 1024
# An item's time may be this far ahead of the server's clock (src/http/time.ts); checked on ours.
MAX_FUTURE_SKEW_SECONDS = 5 * 60
# Earlier in-experiment answers remembered per client (as the TypeScript SDK): bounded memory.
MAX_SHOWN = 10000


class ExperimentClientError(Exception):
    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def _http(method, url, token, body=None, headers=None, timeout=10.0):
    """(status, headers, body bytes); HTTP errors are answers, not exceptions."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", "Bearer " + (token() if callable(token) else token))
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        request.add_header(k, v)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def _thread_scheduler(fn, delay_seconds):
    timer = threading.Timer(delay_seconds, fn)
    timer.daemon = True
    timer.start()
    return timer.cancel


def _iso_now(clock):
    stamp = datetime.fromtimestamp(clock(), timezone.utc).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


class _BatchReporter:
    """Queues items and POSTs them to one route in batches: when `max_batch` are queued, or
    `flush_interval` seconds after the first of a batch. The queue is bounded (`max_queue`, oldest
    dropped and counted). `clock` (epoch seconds) and `scheduler(fn, delay) -> cancel` are
    injectable, so tests move time instead of sleeping. Subclasses name the route, the body's key,
    the success status and how an answer is counted."""

    _path = ""
    _key = ""
    _ok_status = 200
    _counters = ()

    def __init__(self, base_url, token, max_batch=100, flush_interval=2.0, max_queue=10000,
                 clock=time.time, scheduler=_thread_scheduler, transport=_http):
        self._url = base_url.rstrip("/") + self._path
        self._token = token
        self._max_batch = max(1, min(max_batch, MAX_ITEMS_PER_REQUEST))
        self._interval = flush_interval
        self._max_queue = max(max_queue, self._max_batch)
        self._clock = clock
        self._scheduler = scheduler
        self._transport = transport
        self._queue = []
        self._cancel = None
        self._lock = threading.RLock()
        self.stats = dict.fromkeys(("queued", "sent") + self._counters + ("dropped", "failed_requests"), 0)

    @property
    def pending(self):
        return len(self._queue)

    def _enqueue(self, item):
        with self._lock:
            self._queue.append(item)
            self.stats["queued"] += 1
            excess = len(self._queue) - self._max_queue
            if excess > 0:
                del self._queue[:excess]
                self.stats["dropped"] += excess
            if len(self._queue) >= self._max_batch:
                full = True
            else:
                full = False
                if self._cancel is None:
                    self._cancel = self._scheduler(self._on_timer, self._interval)
        if full:
            self.flush()

    def _on_timer(self):
        with self._lock:
            self._cancel = None
        self.flush()

    def _count(self, report, batch):
        """Adds a successful answer to `stats` (beyond `sent`)."""

    def flush(self):
        """Sends everything queued. A network error, 5xx, 408 or 429 keeps the batch for the next
        flush; another refusal drops it (counted). Returns the number of items sent."""
        with self._lock:
            if self._cancel is not None:
                self._cancel()
                self._cancel = None
            sent = 0
            while self._queue:
                batch = self._queue[:self._max_batch]
                try:
                    status, _, body = self._transport("POST", self._url, self._token, {self._key: batch})
                except OSError:
                    status, body = None, b""
                if status == self._ok_status:
                    del self._queue[:len(batch)]
                    sent += len(batch)
                    self.stats["sent"] += len(batch)
                    self._count(json.loads(body), batch)
                    continue
                self.stats["failed_requests"] += 1
                if status is not None and 400 <= status < 500 and status not in (408, 429):
                    del self._queue[:len(batch)]
                    self.stats["dropped"] += len(batch)
                    continue
                break
            return sent


class ExposureReporter(_BatchReporter):
    """Exposures to POST /exposures (`assign` scope), in batches. Exposures are idempotent on the
    server, so a batch re-sent after a lost answer is counted as duplicates, never stored twice."""

    _path = "/api/v1/ab-testing/exposures"
    _key = "exposures"
    _ok_status = 202
    _counters = ("accepted", "duplicates", "rejected")

    def add(self, experiment_key, variant_key, user_id, timestamp=None):
        self._enqueue({"experiment_key": experiment_key, "variant_key": variant_key, "user_id": user_id,
                       "timestamp": _iso_now(self._clock) if timestamp is None else timestamp})

    def _count(self, report, batch):
        self.stats["accepted"] += report.get("accepted", 0)
        self.stats["duplicates"] += report.get("duplicates", 0)
        self.stats["rejected"] += len(report.get("rejected", []))


class PredictionReporter(_BatchReporter):
    """Model predictions to POST /streaming-analytics/predictions (`ingest` scope), in batches; they
    feed GET /models, the Models page and alert rules on @models/confidence and @models/latency_ms.

    `add` checks each prediction as the server will (one invalid prediction would make the server
    refuse its whole batch, good ones with it) and raises ValueError instead. Delivery is at least
    once: a batch whose answer is lost (a timeout) is sent again and may be stored twice."""

    _path = "/api/v1/streaming-analytics/predictions"
    _key = "predictions"
    _ok_status = 201
    _counters = ("accepted",)

    def add(self, model_name, confidence, prediction=None, model_version=None, latency_ms=None,
            event_id=None, features=None, timestamp=None):
        if not isinstance(model_name, str) or not model_name.strip() or len(model_name.strip()) > 200:
            raise ValueError("model_name must be 1 to 200 characters")
        if _has_control(model_name):
            raise ValueError("model_name must not contain control characters")
        if not _is_number(confidence) or not 0 <= confidence <= 1:
            raise ValueError("confidence must be a number from 0 to 1")
        if latency_ms is not None and (not _is_number(latency_ms) or not 0 <= latency_ms <= MAX_LATENCY_MS):
            raise ValueError("latency_ms must be a number from 0 to 1e15")
        if model_version is not None and (not isinstance(model_version, str) or len(model_version) > 200):
            raise ValueError("model_version must be a string of at most 200 characters")
        if event_id is not None and (not isinstance(event_id, str) or not 1 <= len(event_id) <= 128):
            raise ValueError("event_id must be 1 to 128 characters")
        if features is not None and not isinstance(features, dict):
            raise ValueError("features must be a dict")
        if _deeper_than(prediction, MAX_JSON_DEPTH) or _deeper_than(features, MAX_JSON_DEPTH):
            raise ValueError("prediction and features may nest at most %d levels" % MAX_JSON_DEPTH)
        if _json_chars(prediction) > MAX_ITEM_JSON_CHARS or _json_chars(features) > MAX_ITEM_JSON_CHARS:
            raise ValueError("prediction and features may each hold at most %d characters of keys and strings"
                             % MAX_ITEM_JSON_CHARS)
        if isinstance(features, dict) and "__proto__" in features:
            raise ValueError("features may not have a top-level __proto__ key")
        if timestamp is not None:
            seconds = _epoch_seconds(timestamp)
            if seconds is None:
                raise ValueError("timestamp must be an ISO-8601 time with a zone, or epoch milliseconds")
            if seconds > self._clock() + MAX_FUTURE_SKEW_SECONDS:
                raise ValueError("timestamp is more than 5 minutes in the future")
        try:
            json.dumps(prediction, allow_nan=False)
            json.dumps(features, allow_nan=False)
        except (TypeError, ValueError) as err:
            raise ValueError("prediction and features must be JSON: %s" % err) from None
        item = {"model_name": model_name, "prediction": prediction, "confidence": confidence,
                "timestamp": _iso_now(self._clock) if timestamp is None else timestamp}
        for key, value in (("model_version", model_version), ("latency_ms", latency_ms),
                           ("event_id", event_id), ("features", features)):
            if value is not None:
                item[key] = value
        self._enqueue(item)

    def _count(self, report, batch):
        self.stats["accepted"] += report.get("accepted", 0)


def _deeper_than(value, limit):
    """As the server counts (src/http/json.ts): each list or dict is one level; iterative."""
    stack = [(value, 0)]
    while stack:
        current, depth = stack.pop()
        if not isinstance(current, (list, dict)):
            continue
        if depth + 1 > limit:
            return True
        children = current.values() if isinstance(current, dict) else current
        stack.extend((child, depth + 1) for child in children if isinstance(child, (list, dict)))
    return False


def _json_chars(value):
    """As the server counts an item's JSON (src/http/json.ts): keys and strings, one per other value."""
    if value is None:
        return 0
    chars, stack = 0, [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            chars += sum(len(k) + 1 for k in current)
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
        else:
            chars += len(current) + 1 if isinstance(current, str) else 1
    return chars


def _has_control(text):
    """Unicode category Cc, as the server's /^[^\\p{Cc}]*$/u: C0, DEL and C1."""
    return any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in text)


# The server's ISO-8601 form (zod's iso.datetime with an offset): seconds required, any fraction,
# Z or ±HH:MM. Parsed by hand: datetime.fromisoformat before 3.11 refuses fractions of other lengths.
_ISO = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:Z|([+-])(\d\d):(\d\d))$")


def _epoch_seconds(timestamp):
    """A time as the server reads it (ISO-8601 with a zone, or epoch ms), in seconds; None if neither."""
    if isinstance(timestamp, bool):
        return None
    if isinstance(timestamp, int) or (isinstance(timestamp, float) and timestamp.is_integer()):
        return timestamp / 1000
    match = _ISO.match(timestamp) if isinstance(timestamp, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                          int((fraction or "0")[:6].ljust(6, "0")), tzinfo=timezone.utc)
    except ValueError:
        return None
    offset = 0 if sign is None else (1 if sign == "+" else -1) * (int(off_h) * 3600 + int(off_m) * 60)
    return moment.timestamp() - offset


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value \
        and value not in (float("inf"), float("-inf"))


class ExperimentClient:
    """Local evaluation against GET /config.

        client = ExperimentClient("https://experiments.example.com", token, report_exposures=True)
        client.refresh()
        a = client.get_variant("checkout_button", "user-42", {"country": "US"})
        f = client.get_flag("new_checkout", "user-42", {"country": "US"})
    """

    def __init__(self, base_url, token, initial_config=None, report_exposures=False,
                 exposure_options=None, transport=_http, refresh_seconds=60.0, clock=time.time):
        self._config_url = base_url.rstrip("/") + "/api/v1/ab-testing/config"
        self._token = token
        self._transport = transport
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._etag = None
        self._fetched_at = None
        self._config = None
        self._experiments = {}
        self._stopped = {}
        self._flags = {}
        self._seen = set()
        self._shown = {}  # (experiment key, user id) -> variant key of this client's in-experiment answers
        self._reporter = None
        if report_exposures:
            self._reporter = ExposureReporter(base_url, token, transport=transport, **(exposure_options or {}))
        if initial_config is not None:
            self._set_config(initial_config)

    @property
    def config(self):
        return self._config

    @property
    def exposure_stats(self):
        return None if self._reporter is None else self._reporter.stats

    def refresh(self):
        """GET /config, with If-None-Match once a config is held. True if it changed, False on 304.
        Raises ExperimentClientError on failure and keeps the previous config."""
        headers = {}
        if self._etag is not None and self._config is not None:
            headers["If-None-Match"] = self._etag
        try:
            status, response_headers, body = self._transport("GET", self._config_url, self._token, headers=headers)
        except OSError as err:
            raise ExperimentClientError("GET config failed: %s" % err, 0) from err
        if status == 304:
            self._fetched_at = self._clock()
            return False
        if status != 200:
            raise ExperimentClientError("GET config failed with %d" % status, status)
        try:
            config = json.loads(body)
            if not isinstance(config.get("experiments"), list):
                raise ValueError("no experiments")
        except (ValueError, AttributeError) as err:
            raise ExperimentClientError("GET config returned an unexpected body", status) from err
        self._set_config(config)
        self._etag = response_headers.get("ETag")
        self._fetched_at = self._clock()
        return True

    def ensure_fresh(self):
        if self._config is None or self._clock() - self._fetched_at >= self._refresh_seconds:
            self.refresh()

    def _set_config(self, config):
        self._config = config
        self._experiments = {e["key"]: e for e in config.get("experiments", [])}
        # Paused and completed experiments, each with the one variant it answers everyone: get_variant
        # answers them as POST /assign does; get_assignments covers the running ones only, as it does.
        self._stopped = {e["key"]: e for e in config.get("stopped_experiments") or []}
        self._flags = {f["key"]: f for f in config.get("flags") or []}

    def get_variant(self, experiment_key, user_id, attributes=None, exposed=None):
        """The user's assignment, evaluated locally, or None (unknown key, draft). A paused experiment
        answers the control and a completed one its winner (or the control), with in_experiment False
        and the status as the reason, as POST /assign does. A user this client
        already answered in-experiment keeps that variant when a targeting change would now leave
        them out; `exposed` ({experiment_key: variant_key}) carries earlier answers this client did
        not give itself (another process, a stored cookie), as POST /assign takes them."""
        experiment = self._experiments.get(experiment_key) or self._stopped.get(experiment_key)
        if experiment is None:
            return None
        return self._assign(experiment, user_id, attributes, exposed, Budget())

    def get_assignments(self, user_id, attributes=None, exposed=None):
        """The user's assignments in every running experiment of the config, in config order. The
        experiments share one step budget (budget_shares), as in POST /assign and the TypeScript
        SDK's getAssignments."""
        experiments = (self._config or {}).get("experiments") or []
        share = budget_shares(STEP_BUDGET, len(experiments))
        answers = (self._assign(e, user_id, attributes, exposed, share()) for e in experiments)
        return [a for a in answers if a is not None]

    def _assign(self, experiment, user_id, attributes, exposed, budget):
        shown_key = (experiment["key"], user_id)
        given = exposed.get(experiment["key"]) if exposed else None
        answer = evaluate_experiment(experiment, user_id, attributes,
                                     given if given is not None else self._shown.get(shown_key), budget)
        if answer is not None and answer["in_experiment"]:
            if self._shown.get(shown_key) != answer["variant_key"]:
                if len(self._shown) >= MAX_SHOWN:
                    self._shown.clear()
                self._shown[shown_key] = answer["variant_key"]
            self._expose(answer, user_id)
        return answer

    def get_flag(self, flag_key, user_id, attributes=None):
        flag = self._flags.get(flag_key)
        if flag is None:
            return {"value": None, "rule_index": None, "reason": "not_found"}
        return evaluate_flag(flag, user_id, attributes)

    def get_flags(self, user_id, attributes=None, keys=None):
        """Every flag of the config (or those named in `keys`; unknown ones `not_found`), keyed by
        flag key. The flags share one step budget (budget_shares), as in POST /flags/evaluate and
        the TypeScript SDK's getFlags."""
        return evaluate_flags((self._config or {}).get("flags") or [], user_id, attributes, keys)

    def flush_exposures(self):
        return 0 if self._reporter is None else self._reporter.flush()

    def _expose(self, answer, user_id):
        if self._reporter is None:
            return
        key = (answer["experiment_id"], user_id)
        if key in self._seen:
            return
        if len(self._seen) >= 10000:
            self._seen.clear()
        self._seen.add(key)
        self._reporter.add(answer["experiment_key"], answer["variant_key"], user_id)
