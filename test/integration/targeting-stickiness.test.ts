// Changing targeting on a running experiment keeps exposed users in their variant (issue 15): the
// client sends its earlier in-experiment answers as `exposed`, so the edge decides without a D1 read.
import { afterEach, describe, expect, it, vi } from "vitest";
import { as } from "../helpers";
import { exposureRows } from "./assignment-fixtures";
import { captureExposures } from "./exposure-capture";
import { BASE, createRunning } from "./experiments-fixtures";

interface Answer {
  experiment_key: string;
  variant_id: string;
  variant_key: string;
  in_experiment: boolean;
  reason: string | null;
}

const USERS = 200;

afterEach(() => vi.restoreAllMocks());

describe("targeting change on a running experiment", () => {
  it("exposed users keep their variant; others follow the new targeting; exposures stay first-wins", async () => {
    const queue = captureExposures();
    const acme = await queue.as("sticky-targeting");
    const e = await createRunning(acme, "sticky-fr", { targeting: { country: "FR" } });
    const assign = async (user: string, country: string, exposed?: Record<string, string>): Promise<Answer> => {
      const res = await acme.post(`${BASE}/assign`, {
        user_id: user,
        attributes: { country },
        ...(exposed && { exposed }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      const { assignments } = (await res.json()) as { assignments: Answer[] };
      expect(assignments).toHaveLength(1);
      return assignments[0] as Answer;
    };

    const users = Array.from({ length: USERS }, (_, i) => `u-${i}`);
    const first = new Map<string, Answer>();
    for (const u of users) first.set(u, await assign(u, "FR"));
    for (const a of first.values()) expect(a).toMatchObject({ in_experiment: true, reason: null });
    const variantsSeen = new Set([...first.values()].map((a) => a.variant_key));
    expect(variantsSeen).toEqual(new Set(["control", "treatment"]));
    await queue.deliver();
    expect(await exposureRows(e.id)).toHaveLength(USERS);

    const patched = await acme.patch(`${BASE}/experiments/${e.id}`, { targeting: { country: "DE" } });
    expect(patched.status, await patched.clone().text()).toBe(200);

    for (const u of users) {
      const had = first.get(u) as Answer;
      // With their earlier answer: the same variant, still in the experiment.
      const kept = await assign(u, "FR", { "sticky-fr": had.variant_key });
      expect(kept).toMatchObject({ variant_id: had.variant_id, in_experiment: true, reason: null });
      // Without it the edge cannot know them: the new targeting applies.
      expect(await assign(u, "FR")).toMatchObject({
        variant_key: "control",
        in_experiment: false,
        reason: "targeting",
      });
      // A claim of the other variant is not the user's bucket: ignored.
      const other = had.variant_key === "control" ? "treatment" : "control";
      expect(await assign(u, "FR", { "sticky-fr": other })).toMatchObject({
        in_experiment: false,
        reason: "targeting",
      });
    }
    // New matching users enter with their bucketed variant, exposed or not.
    const de = await assign("new-de", "DE");
    expect(de).toMatchObject({ in_experiment: true, reason: null });
    // Every answer's exposure is delivered: the first ones stay, and the new user's is added.
    await queue.deliver();
    const stored = await exposureRows(e.id);
    expect(stored).toHaveLength(USERS + 1);
    for (const u of users) {
      expect(stored.find((r) => r.user_id === u)?.variant_id).toBe(first.get(u)?.variant_id);
    }
  });

  it("POST /experiments/:id/assign takes `exposed` too; a malformed one is a 400 naming the field", async () => {
    const acme = await as("sticky-one");
    const e = await createRunning(acme, "sticky-plan", { targeting: { plan: "pro" } });
    const one = (body: Record<string, unknown>) => acme.post(`${BASE}/experiments/${e.id}/assign`, body);
    const before = (await (await one({ user_id: "ana", attributes: { plan: "pro" } })).json()) as Answer;
    expect(before.in_experiment).toBe(true);
    expect((await acme.patch(`${BASE}/experiments/${e.id}`, { targeting: { plan: "team" } })).status).toBe(200);
    const after = (await (
      await one({ user_id: "ana", attributes: { plan: "pro" }, exposed: { "sticky-plan": before.variant_key } })
    ).json()) as Answer;
    expect(after).toMatchObject({ variant_id: before.variant_id, in_experiment: true, reason: null });
    // Another experiment's key in `exposed` changes nothing here.
    const unrelated = (await (
      await one({ user_id: "ana", attributes: { plan: "pro" }, exposed: { other: before.variant_key } })
    ).json()) as Answer;
    expect(unrelated).toMatchObject({ in_experiment: false, reason: "targeting" });

    for (const exposed of [{ "Bad Key": "control" }, { "sticky-plan": 3 }, ["control"]]) {
      const res = await one({ user_id: "ana", exposed });
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { errors: { path: string }[] };
      expect(problem.errors.some((x) => x.path.startsWith("exposed"))).toBe(true);
    }
  });
});
