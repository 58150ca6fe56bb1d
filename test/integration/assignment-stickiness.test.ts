import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";
import { tokenFor } from "../helpers";
import { seedExperiment, updateExperiment } from "./assignment-fixtures";

const BASE = "/api/v1/ab-testing";
const USERS = 10_000;
const CHUNK = 500;

interface Answer {
  variant_key: string;
  variant_type: string;
  in_experiment: boolean;
}

it("no enrolled user changes variant across a coverage raise, a pause and a resume (10,000 users)", async () => {
  const org = "sticky";
  const e = await seedExperiment({
    org,
    key: "sticky",
    coverage: 20,
    variants: [
      { key: "control", type: "control", pct: 50 },
      { key: "b", pct: 25 },
      { key: "c", pct: 25 },
    ],
  });
  const token = await tokenFor(org);
  const assignAll = async (): Promise<Answer[]> => {
    const out: Answer[] = [];
    for (let start = 0; start < USERS; start += CHUNK) {
      const chunk = await Promise.all(
        Array.from({ length: CHUNK }, async (_, j) => {
          const res = await SELF.fetch(`https://edge.test${BASE}/experiments/${e.id}/assign`, {
            method: "POST",
            headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
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
  const expectKept = (before: Answer[], after: Answer[]) => {
    for (let i = 0; i < USERS; i++) {
      const b = before[i] as Answer;
      if (b.in_experiment) expect(after[i], `user-${i}`).toEqual(b);
    }
  };

  const at20 = await assignAll();
  expect(enrolled(at20)).toBeGreaterThan(0.17 * USERS);
  expect(enrolled(at20)).toBeLessThan(0.23 * USERS);

  await updateExperiment(org, e.id, { coverage: 50 });
  const at50 = await assignAll();
  expectKept(at20, at50);
  expect(enrolled(at50)).toBeGreaterThan(0.47 * USERS);

  await updateExperiment(org, e.id, { status: "paused" });
  const paused = await assignAll();
  expect(paused.every((a) => a.variant_type === "control" && !a.in_experiment)).toBe(true);

  await updateExperiment(org, e.id, { status: "running" });
  const resumed = await assignAll();
  expect(resumed).toEqual(at50);
}, 300_000);
