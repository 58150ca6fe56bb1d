import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";
import { as } from "../helpers";

const BASE = "/api/v1/ab-testing";
const USERS = 10_000;
const CHUNK = 500;

interface Answer {
  variant_key: string;
  variant_type: string;
  in_experiment: boolean;
}

// Everything through the HTTP API: the experiments routes change the lifecycle (and emit the
// change event the cache listens to), the assignment route answers.
it("no enrolled user changes variant across a coverage raise, a pause and a resume (10,000 users)", async () => {
  const client = await as("sticky");
  const ok = async (res: Response, status = 200) => {
    expect(res.status, await res.clone().text()).toBe(status);
    return res.json() as Promise<{ id: string; status: string; coverage: number }>;
  };
  const { id } = await ok(
    await client.post(`${BASE}/experiments`, {
      key: "sticky",
      experiment_name: "Sticky",
      coverage: 20,
      variants: [
        { key: "control", variant_type: "control", traffic_percentage: 50 },
        { key: "b", variant_type: "treatment", traffic_percentage: 25 },
        { key: "c", variant_type: "treatment", traffic_percentage: 25 },
      ],
    }),
    201,
  );
  await ok(await client.post(`${BASE}/experiments/${id}/start`));

  const assignAll = async (): Promise<Answer[]> => {
    const out: Answer[] = [];
    for (let start = 0; start < USERS; start += CHUNK) {
      const chunk = await Promise.all(
        Array.from({ length: CHUNK }, async (_, j) => {
          const res = await SELF.fetch(`https://edge.test${BASE}/experiments/${id}/assign`, {
            method: "POST",
            headers: { Authorization: `Bearer ${client.token}`, "Content-Type": "application/json" },
            body: JSON.stringify({ user_id: `user-${start + j}` }),
          });
          expect(res.status).toBe(200);
          return (await res.json()) as Answer;
        }),
      );
      out.push(...chunk);
    }
    return out;
  };
  const enrolled = (answers: Answer[]) => answers.filter((a) => a.in_experiment).length;

  const at20 = await assignAll();
  expect(enrolled(at20)).toBeGreaterThan(0.17 * USERS);
  expect(enrolled(at20)).toBeLessThan(0.23 * USERS);

  expect((await ok(await client.patch(`${BASE}/experiments/${id}`, { coverage: 60 }))).coverage).toBe(60);
  const at60 = await assignAll();
  for (let i = 0; i < USERS; i++) {
    const before = at20[i] as Answer;
    if (before.in_experiment) expect(at60[i], `user-${i}`).toEqual(before);
  }
  expect(enrolled(at60)).toBeGreaterThan(0.57 * USERS);

  expect((await ok(await client.post(`${BASE}/experiments/${id}/pause`))).status).toBe("paused");
  const paused = await assignAll();
  expect(paused.every((a) => a.variant_type === "control" && !a.in_experiment)).toBe(true);

  expect((await ok(await client.post(`${BASE}/experiments/${id}/start`))).status).toBe("running");
  const resumed = await assignAll();
  expect(resumed).toEqual(at60);
}, 300_000);
