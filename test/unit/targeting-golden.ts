/** Helpers shared by the tests that replay test/fixtures/targeting.json. */
import type { ClientExperiment } from "../../src/experiments/model";
import type { Condition, Namespace } from "../../src/targeting/model";
import type golden from "../fixtures/targeting.json";

export type GoldenExperiment = (typeof golden.experiments)[number]["experiment"];

/** A running experiment of the golden shape, variants v0 (control), v1, ... */
export function goldenExperiment(e: GoldenExperiment): ClientExperiment {
  return {
    id: `id_${e.seed}`,
    key: e.seed,
    status: "running",
    seed: e.seed,
    coverage: e.coverage,
    winner_variant_id: null,
    targeting: e.targeting as Condition | null,
    namespace: e.namespace as Namespace | null,
    variants: e.percentages.map((pct, j) => ({
      id: `v${j}`,
      key: `v${j}`,
      variant_name: `V${j}`,
      variant_type: j === 0 ? "control" : "treatment",
      model_version: null,
      config: {},
      traffic_percentage: pct,
    })),
  };
}
