import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgObject } from "../../src/streaming/org-object";
import { MIGRATIONS, migrate, SCHEMA_VERSION } from "../../src/streaming/store/schema";
import { as, expectProblem } from "../helpers";

describe("the organization store's own schema", () => {
  it("is migrated once, in the constructor, and re-running the migrations changes nothing", async () => {
    const stub = env.ORG.getByName("store-schema");
    const result = await runInDurableObject(stub, (_i: OrgObject, state) => {
      const versions = () =>
        state.storage.sql
          .exec<{ version: number }>("SELECT version FROM schema_version ORDER BY version")
          .toArray()
          .map((r) => r.version);
      const before = versions();
      const again = migrate(state.storage);
      return { before, again, after: versions() };
    });
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(result.before).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    expect(result.again).toBe(SCHEMA_VERSION);
    expect(result.after).toEqual(result.before);
  });

  it("refuses a schema newer than the code (a rollback) instead of writing to it", async () => {
    const stub = env.ORG.getByName("store-future");
    const message = await runInDurableObject(stub, (_i: OrgObject, state) => {
      state.storage.sql.exec("INSERT INTO schema_version (version) VALUES (?)", SCHEMA_VERSION + 1);
      try {
        migrate(state.storage);
        return "migrated";
      } catch (err) {
        return (err as Error).message;
      }
    });
    expect(message).toMatch(/schema is at version/);
  });

  it("the bench-only no-op route (bench/worker.ts) is not part of the production Worker", async () => {
    const c = await as("store-bench");
    await expectProblem(
      await c.post("/api/v1/streaming-analytics/bench/noop-events", { events: [{ event_type: "a" }] }),
      404,
    );
  });
});
