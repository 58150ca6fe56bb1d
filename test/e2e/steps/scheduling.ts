// Scheduling under the real local server: the Cron Trigger is fired by the start script's ticker
// (scripts/local-cron.ts) once a minute, so a scheduled end lands within two minutes.
import { api, run } from "../context.ts";
import { assert, eventually, test } from "../harness.ts";

interface Experiment {
  id: string;
  status: string;
  winner_variant_id: string | null;
}

test("a running experiment is completed by the Cron Trigger after its scheduled end", async () => {
  const created = await api<Experiment>("POST", "/ab-testing/experiments", {
    key: `scheduled_end_${run}`,
    experiment_name: "Scheduled end",
    variants: [
      { key: "control", variant_type: "control", traffic_percentage: 50 },
      { key: "treatment", variant_type: "treatment", traffic_percentage: 50 },
    ],
  });
  await api("POST", `/ab-testing/experiments/${created.id}/start`);
  await api("PATCH", `/ab-testing/experiments/${created.id}`, { scheduled_end_at: Date.now() + 1_000 });
  // The sentinel is the status itself; the ticker fires at the next minute boundary.
  const done = await eventually(
    async () => {
      const e = await api<Experiment>("GET", `/ab-testing/experiments/${created.id}`);
      return e.status === "completed" ? e : null;
    },
    120_000,
    "the scheduled end",
  );
  assert(done.winner_variant_id === null, "a scheduled end names no winner");
  const history = await api<{ items: { actor: string; action: string }[] }>(
    "GET",
    `/ab-testing/experiments/${created.id}/history`,
  );
  assert(
    history.items[0]?.action === "completed" && history.items[0]?.actor === "scheduler",
    `history should end with the scheduler's completion: ${JSON.stringify(history.items)}`,
  );
});
