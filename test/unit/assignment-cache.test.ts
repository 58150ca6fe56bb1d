import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AssignmentCache,
  etagOf,
  FAILURE_BACKOFF_MS,
  matchesIfNoneMatch,
  RELOAD_WAIT_MS,
} from "../../src/assignment/cache";
import type { ClientExperiment } from "../../src/experiments/model";
import type { ClientFlag } from "../../src/flags/model";

const exp = (key: string, over: Partial<ClientExperiment> = {}): ClientExperiment => ({
  id: `id_${key}`,
  key,
  status: "running",
  seed: key,
  coverage: 100,
  winner_variant_id: null,
  variants: [],
  ...over,
});

function harness(ttlMs = 1000) {
  let now = 1_000_000;
  const cache = new AssignmentCache(() => now);
  const background: Promise<unknown>[] = [];
  let data: ClientExperiment[] = [exp("a")];
  let flags: ClientFlag[] = [];
  let fail = false;
  const load = vi.fn(async () => {
    await Promise.resolve();
    if (fail) throw new Error("D1 down");
    return { experiments: data, flags };
  });
  const options = { ttlMs, load, waitUntil: (p: Promise<unknown>) => void background.push(p) };
  return {
    cache,
    load,
    get: () => cache.snapshot("org", options),
    options,
    settle: () => Promise.all(background.splice(0)),
    advance: (ms: number) => {
      now += ms;
    },
    set: (next: ClientExperiment[]) => {
      data = next;
    },
    setFlags: (next: ClientFlag[]) => {
      flags = next;
    },
    fail: (v: boolean) => {
      fail = v;
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("AssignmentCache", () => {
  it("loads once, then answers from memory while young", async () => {
    const h = harness();
    const first = await h.get();
    expect(first.running.map((e) => e.key)).toEqual(["a"]);
    expect(first.byKey.get("a")?.id).toBe("id_a");
    h.advance(700);
    expect(await h.get()).toBe(first);
    expect(h.load).toHaveBeenCalledTimes(1);
  });

  it("single flight: concurrent cold requests share one load", async () => {
    const h = harness();
    const all = await Promise.all(Array.from({ length: 50 }, () => h.get()));
    expect(new Set(all).size).toBe(1);
    expect(h.load).toHaveBeenCalledTimes(1);
  });

  // Waiters watch the entry on their own timers (workerd cancels a request that only awaits
  // another request's I/O), so these run on vitest's fake timers, stepped, never slept through.
  describe("waiting for another request's load", () => {
    /** A cache whose loads are settled by hand, in the order they were started. */
    function gated() {
      let now = 1_000_000;
      const cache = new AssignmentCache(() => now);
      const loads: { resolve: (keys: string[]) => void; reject: (err: Error) => void }[] = [];
      const options = {
        ttlMs: 60_000,
        waitUntil: () => {},
        load: () =>
          new Promise<string[]>((resolve, reject) => loads.push({ resolve, reject })).then((keys) => ({
            experiments: keys.map((k) => exp(k)),
            flags: [],
          })),
      };
      const get = () => {
        const result: { keys?: string[]; error?: unknown } = {};
        const done = cache.snapshot("org", options).then(
          (s) => (result.keys = s.running.map((e) => e.key)),
          (err: unknown) => (result.error = err),
        );
        return { result, done };
      };
      return { cache, loads, get, advance: (ms: number) => (now += ms) };
    }

    it("they take the snapshot the first request's load stores, one load for all", async () => {
      vi.useFakeTimers();
      const g = gated();
      const first = g.get();
      const waiters = Array.from({ length: 20 }, () => g.get());
      await vi.advanceTimersByTimeAsync(5);
      expect(g.loads).toHaveLength(1);
      g.loads[0]?.resolve(["a"]);
      await first.done;
      await vi.advanceTimersByTimeAsync(16);
      await Promise.all(waiters.map((w) => w.done));
      expect(waiters.every((w) => w.result.keys?.join() === "a")).toBe(true);
      expect(g.loads).toHaveLength(1);
      expect(vi.getTimerCount()).toBe(0);
    });

    it("a load that never settles (its request went away) is given up after RELOAD_WAIT_MS, and one new load serves everyone", async () => {
      vi.useFakeTimers();
      const g = gated();
      const stuck = g.get(); // its load does not settle until the end
      const waiters = Array.from({ length: 10 }, () => g.get());
      await vi.advanceTimersByTimeAsync(RELOAD_WAIT_MS - 20);
      expect(g.loads).toHaveLength(1);
      expect(waiters.some((w) => "keys" in w.result || "error" in w.result)).toBe(false);
      await vi.advanceTimersByTimeAsync(40);
      expect(g.loads).toHaveLength(2);
      g.loads[1]?.resolve(["fresh"]);
      // The snapshot's ETag is a real WebCrypto digest (not on the fake clock): waitFor steps the
      // fake timers by its interval while it waits for the waiters to see the stored snapshot.
      await vi.waitFor(() => expect(waiters.every((w) => "keys" in w.result)).toBe(true), { timeout: 30_000 });
      expect(waiters.map((w) => w.result.keys?.join())).toEqual(Array(10).fill("fresh"));
      // A late answer of the load given up never replaces the newer snapshot.
      g.loads[0]?.resolve(["stale"]);
      await stuck.done;
      expect(stuck.result.keys).toEqual(["stale"]); // the request that read it gets it, once
      const after = g.get();
      await after.done;
      expect(after.result.keys).toEqual(["fresh"]);
    });

    it("on the cache's clock too: a request arriving after RELOAD_WAIT_MS starts its own load at once", async () => {
      vi.useFakeTimers();
      const g = gated();
      g.get();
      g.advance(RELOAD_WAIT_MS);
      const late = g.get();
      await vi.advanceTimersByTimeAsync(0);
      expect(g.loads).toHaveLength(2);
      g.loads[1]?.resolve(["b"]);
      await late.done;
      expect(late.result.keys).toEqual(["b"]);
    });

    it("when that load fails, the waiters fail with it (no second read of a D1 in trouble)", async () => {
      vi.useFakeTimers();
      vi.spyOn(console, "error").mockImplementation(() => {});
      const g = gated();
      const first = g.get();
      const waiter = g.get();
      await vi.advanceTimersByTimeAsync(2);
      g.loads[0]?.reject(new Error("D1 down"));
      await first.done;
      await vi.advanceTimersByTimeAsync(16);
      await waiter.done;
      expect(first.result.error).toBeInstanceOf(Error);
      expect(waiter.result.error).toBeInstanceOf(Error);
      expect(g.loads).toHaveLength(1);
    });

    it("an invalidation while they wait: they load again, and see the change", async () => {
      vi.useFakeTimers();
      const g = gated();
      const first = g.get();
      const waiter = g.get();
      await vi.advanceTimersByTimeAsync(2);
      g.cache.invalidate("org");
      g.loads[0]?.resolve(["before"]);
      await first.done;
      await vi.advanceTimersByTimeAsync(2);
      expect(g.loads).toHaveLength(2);
      g.loads[1]?.resolve(["after"]);
      await vi.advanceTimersByTimeAsync(16);
      await waiter.done;
      expect(first.result.keys).toEqual(["before"]); // the request that read it gets it, once
      expect(waiter.result.keys).toEqual(["after"]);
    });
  });

  it("refresh-ahead: past 75% of the TTL it serves the old snapshot and reloads once in the background", async () => {
    const h = harness();
    const first = await h.get();
    h.set([exp("a"), exp("b")]);
    h.advance(800);
    expect(await h.get()).toBe(first);
    expect(await h.get()).toBe(first);
    await h.settle();
    expect(h.load).toHaveBeenCalledTimes(2);
    expect((await h.get()).running.map((e) => e.key)).toEqual(["a", "b"]);
  });

  it("past the TTL a request waits for the reload: nothing older than the TTL is served", async () => {
    const h = harness();
    await h.get();
    h.set([exp("z")]);
    h.advance(1000);
    expect((await h.get()).running.map((e) => e.key)).toEqual(["z"]);
  });

  it("when D1 fails, the old snapshot keeps answering and reloads back off", async () => {
    const h = harness();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const first = await h.get();
    h.fail(true);
    h.advance(1500);
    expect(await h.get()).toBe(first);
    expect(await h.get()).toBe(first);
    expect(h.load).toHaveBeenCalledTimes(2); // the second call was within the backoff
    h.advance(FAILURE_BACKOFF_MS);
    h.fail(false);
    h.set([exp("back")]);
    expect((await h.get()).running.map((e) => e.key)).toEqual(["back"]);
  });

  it("a cold cache with D1 failing rejects (the route turns it into a 503)", async () => {
    const h = harness();
    vi.spyOn(console, "error").mockImplementation(() => {});
    h.fail(true);
    await expect(h.get()).rejects.toThrow("D1 down");
  });

  it("invalidate drops the snapshot at once, and a load that straddles it is not kept", async () => {
    const h = harness();
    await h.get();
    h.cache.invalidate("org");
    h.set([exp("new")]);
    expect((await h.get()).running.map((e) => e.key)).toEqual(["new"]);

    // A reload in flight when the change lands may have read the old rows: used once, not kept.
    let release: (rows: ClientExperiment[]) => void = () => {};
    const gated = new AssignmentCache(() => 0);
    const gatedOptions = {
      ttlMs: 1000,
      waitUntil: () => {},
      load: () =>
        new Promise<ClientExperiment[]>((resolve) => (release = resolve)).then((experiments) => ({
          experiments,
          flags: [],
        })),
    };
    const straddling = gated.snapshot("org", gatedOptions);
    await Promise.resolve();
    gated.invalidate("org");
    release([exp("old-read")]);
    expect((await straddling).running.map((e) => e.key)).toEqual(["old-read"]);
    const next = gated.snapshot("org", gatedOptions);
    await Promise.resolve();
    release([exp("after")]);
    expect((await next).running.map((e) => e.key)).toEqual(["after"]);
  });

  it("remembers paused and completed experiments by id and key for the TTL, never drafts", async () => {
    const h = harness();
    const paused = exp("p", { status: "paused" });
    h.cache.remember("org", paused);
    h.cache.remember("org", exp("d", { status: "draft" }));
    expect(h.cache.inactive("org", "id:id_p", 1000)).toBe(paused);
    expect(h.cache.inactive("org", "key:p", 1000)).toBe(paused);
    expect(h.cache.inactive("org", "key:d", 1000)).toBeUndefined();
    h.advance(1000);
    expect(h.cache.inactive("org", "key:p", 1000)).toBeUndefined();
    h.cache.remember("org", paused);
    h.cache.invalidate("org");
    expect(h.cache.inactive("org", "key:p", 1000)).toBeUndefined();
  });

  it("remembers unknown keys for the TTL; an invalidation, before or during the lookup, forgets them", () => {
    const h = harness();
    h.cache.rememberMissing("org", ["ghost", "typo"], h.cache.generation("org"));
    expect(h.cache.isMissing("org", "ghost", 1000)).toBe(true);
    expect(h.cache.isMissing("org", "typo", 1000)).toBe(true);
    expect(h.cache.isMissing("org", "other", 1000)).toBe(false);
    expect(h.cache.isMissing("elsewhere", "ghost", 1000)).toBe(false);
    h.advance(999);
    expect(h.cache.isMissing("org", "ghost", 1000)).toBe(true);
    h.advance(1);
    expect(h.cache.isMissing("org", "ghost", 1000)).toBe(false);

    h.cache.rememberMissing("org", ["ghost"], h.cache.generation("org"));
    h.cache.invalidate("org");
    expect(h.cache.isMissing("org", "ghost", 1000)).toBe(false);

    // A lookup that began before a create answers "unknown", but that answer is not kept.
    const before = h.cache.generation("org");
    h.cache.invalidate("org");
    h.cache.rememberMissing("org", ["ghost"], before);
    expect(h.cache.isMissing("org", "ghost", 1000)).toBe(false);
  });
});

describe("ETag", () => {
  it("depends on the experiments only, and changes with any of their fields", async () => {
    const a = await etagOf([exp("a")]);
    expect(a).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(await etagOf([exp("a")])).toBe(a);
    expect(await etagOf([exp("a", { coverage: 99 })])).not.toBe(a);
    expect(await etagOf([])).not.toBe(a);
  });

  it("changes with the flags, and is the experiments-only tag when there are none", async () => {
    const flag: ClientFlag = { key: "f", value_type: "boolean", default_value: false, enabled: true, rules: [] };
    const a = await etagOf([exp("a")]);
    expect(await etagOf([exp("a")], [])).toBe(a);
    const withFlag = await etagOf([exp("a")], [flag]);
    expect(withFlag).not.toBe(a);
    expect(await etagOf([exp("a")], [{ ...flag, enabled: false }])).not.toBe(withFlag);
    expect(await etagOf([exp("a")], [{ ...flag, rules: [{ rollout_percentage: 10, value: true }] }])).not.toBe(
      withFlag,
    );
  });

  it("a snapshot carries the loaded flags", async () => {
    const h = harness();
    const flag: ClientFlag = { key: "f", value_type: "string", default_value: "x", enabled: true, rules: [] };
    h.setFlags([flag]);
    const snap = await h.get();
    expect(snap.flags).toEqual([flag]);
    expect(snap.etag).toBe(await etagOf(snap.running, [flag]));
  });

  it("If-None-Match: exact, weak, lists and * match; others do not", () => {
    const tag = '"abc"';
    expect(matchesIfNoneMatch(undefined, tag)).toBe(false);
    expect(matchesIfNoneMatch('"abc"', tag)).toBe(true);
    expect(matchesIfNoneMatch('W/"abc"', tag)).toBe(true);
    expect(matchesIfNoneMatch('"x", "abc"', tag)).toBe(true);
    expect(matchesIfNoneMatch("*", tag)).toBe(true);
    expect(matchesIfNoneMatch('"abcd"', tag)).toBe(false);
    expect(matchesIfNoneMatch("abc", tag)).toBe(false);
  });
});
