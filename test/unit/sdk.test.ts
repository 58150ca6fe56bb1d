import { describe, expect, it, vi } from "vitest";
import type { ClientConfig, ClientExperiment } from "../../src/experiments/model";
import { evaluateExperiment } from "../../src/evaluation/evaluate";
import { ExperimentClient, ExperimentClientError, type FetchLike } from "../../src/sdk/index";
import golden from "../fixtures/bucketing.json";

const exp = (key: string, over: Partial<ClientExperiment> = {}): ClientExperiment => ({
  id: `id_${key}`,
  key,
  status: "running",
  seed: key,
  coverage: 100,
  winner_variant_id: null,
  variants: [
    {
      id: `${key}_c`,
      key: "control",
      variant_name: "Control",
      variant_type: "control",
      model_version: null,
      config: {},
      traffic_percentage: 50,
    },
    {
      id: `${key}_t`,
      key: "treatment",
      variant_name: "Treatment",
      variant_type: "treatment",
      model_version: "m2",
      config: { color: "green" },
      traffic_percentage: 50,
    },
  ],
  ...over,
});

const CONFIG: ClientConfig = {
  generated_at: "2025-01-01T00:00:00.000Z",
  experiments: [exp("checkout"), exp("paused_one", { status: "paused" }), exp("low", { coverage: 10 })],
};

/** A fake server: 200 with an ETag, 304 when If-None-Match matches. */
function fakeServer(initial: ClientConfig = CONFIG) {
  let config = initial;
  let version = 1;
  const calls: { url: string; headers: Record<string, string> }[] = [];
  const fetch: FetchLike = async (url, init) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ url, headers });
    const etag = `"v${version}"`;
    if (headers["if-none-match"] === etag) return new Response(null, { status: 304 });
    return Response.json(config, { headers: { etag } });
  };
  return {
    fetch,
    calls,
    publish(next: ClientConfig) {
      config = next;
      version++;
    },
  };
}

describe("ExperimentClient.refresh", () => {
  it("sends the bearer token to the config URL, then revalidates with If-None-Match", async () => {
    const server = fakeServer();
    const client = new ExperimentClient({ baseUrl: "https://x.test/", token: "tok", fetch: server.fetch });
    expect(client.getVariant("checkout", "u")).toBeNull(); // nothing loaded yet
    expect(await client.refresh()).toBe(true);
    expect(server.calls[0]?.url).toBe("https://x.test/api/v1/ab-testing/config");
    expect(server.calls[0]?.headers.authorization).toBe("Bearer tok");
    expect(server.calls[0]?.headers["if-none-match"]).toBeUndefined();

    expect(await client.refresh()).toBe(false); // 304
    expect(server.calls[1]?.headers["if-none-match"]).toBe('"v1"');
    expect(client.config).toEqual(CONFIG); // kept across the 304

    const next = { ...CONFIG, experiments: [exp("new_one")] };
    server.publish(next);
    expect(await client.refresh()).toBe(true);
    expect(client.config).toEqual(next);
    expect(client.getVariant("checkout", "u")).toBeNull();
    expect(client.getVariant("new_one", "u")).not.toBeNull();
  });

  it("accepts a token function and shares one request between concurrent calls", async () => {
    const server = fakeServer();
    const token = vi.fn(async () => "fresh");
    const client = new ExperimentClient({ baseUrl: "https://x.test", token, fetch: server.fetch });
    await Promise.all([client.refresh(), client.refresh(), client.ensureFresh()]);
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]?.headers.authorization).toBe("Bearer fresh");
  });

  it("ensureFresh only refetches once refreshSeconds have passed", async () => {
    vi.useFakeTimers();
    try {
      const server = fakeServer();
      const client = new ExperimentClient({
        baseUrl: "https://x.test",
        token: "t",
        fetch: server.fetch,
        refreshSeconds: 30,
      });
      await client.ensureFresh();
      await client.ensureFresh();
      expect(server.calls).toHaveLength(1);
      vi.advanceTimersByTime(31_000);
      await client.ensureFresh();
      expect(server.calls).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it.each([
    [new Response("nope", { status: 401 }), 401],
    [new Response("<html>", { status: 200, headers: { "content-type": "text/html" } }), 200],
    [Response.json({ experiments: "no" }), 200],
  ])("rejects a bad response and keeps the previous config (%#)", async (bad, status) => {
    const server = fakeServer();
    let fail = false;
    const fetch: FetchLike = async (url, init) => (fail ? bad : server.fetch(url, init));
    const client = new ExperimentClient({ baseUrl: "https://x.test", token: "t", fetch });
    await client.refresh();
    fail = true;
    const err = await client.refresh().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExperimentClientError);
    expect((err as ExperimentClientError).status).toBe(status);
    expect(client.config).toEqual(CONFIG);
  });
});

describe("ExperimentClient local evaluation", () => {
  it("replays the golden cases exactly like evaluateExperiment", () => {
    const experiments = golden.cases.map((c, i) =>
      exp(`g${i}`, {
        seed: c.seed,
        coverage: c.coverage,
        variants: c.percentages.map((pct, j) => ({
          id: `v${j}`,
          key: `v${j}`,
          variant_name: `V${j}`,
          variant_type: j === 0 ? "control" : "treatment",
          model_version: null,
          config: {},
          traffic_percentage: pct,
        })),
      }),
    );
    const client = new ExperimentClient({
      baseUrl: "https://x.test",
      token: "t",
      initialConfig: { generated_at: "", experiments },
    });
    golden.cases.forEach((c, i) => {
      const a = client.getVariant(`g${i}`, c.user_id);
      expect(a?.variant_id).toBe(c.variant_index === null ? "v0" : `v${c.variant_index}`);
      expect(a?.in_experiment).toBe(c.variant_index !== null);
    });
  });

  it("equals evaluateExperiment for many users, and getAssignments covers every experiment", async () => {
    const server = fakeServer();
    const client = new ExperimentClient({ baseUrl: "https://x.test", token: "t", fetch: server.fetch });
    await client.refresh();
    for (let i = 0; i < 2000; i++) {
      const user = `user_${i}`;
      const expected = CONFIG.experiments.map((e) => {
        const r = evaluateExperiment(e, user);
        return r.kind === "assigned" ? r.assignment : null;
      });
      expect(CONFIG.experiments.map((e) => client.getVariant(e.key, user))).toEqual(expected);
      expect(client.getAssignments(user)).toEqual(expected);
    }
  });

  it("returns null for unknown keys and drafts", () => {
    const client = new ExperimentClient({
      baseUrl: "https://x.test",
      token: "t",
      initialConfig: { generated_at: "", experiments: [exp("d", { status: "draft" })] },
    });
    expect(client.getVariant("nope", "u")).toBeNull();
    expect(client.getVariant("d", "u")).toBeNull();
    expect(client.getAssignments("u")).toEqual([]);
  });

  it("calls onExposure once per (experiment, user), only when in the experiment", () => {
    const onExposure = vi.fn(() => {
      throw new Error("a broken callback must not break evaluation");
    });
    const client = new ExperimentClient({
      baseUrl: "https://x.test",
      token: "t",
      initialConfig: CONFIG,
      onExposure,
    });
    client.getVariant("checkout", "u1");
    client.getVariant("checkout", "u1");
    client.getAssignments("u1");
    client.getVariant("paused_one", "u2");
    client.getVariant("checkout", "u2");
    const calls = onExposure.mock.calls as unknown as [{ experiment_key: string }, string][];
    const inLow = client.getVariant("low", "u1")?.in_experiment ? 1 : 0;
    expect(calls.map(([a, u]) => `${a.experiment_key}:${u}`)).toEqual([
      "checkout:u1",
      ...(inLow ? ["low:u1"] : []),
      "checkout:u2",
    ]);
  });
});
