import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Two projects: pure modules run as plain functions in Node (fast, no runtime needed);
// everything that touches bindings runs inside workerd through the Cloudflare plugin.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
                JWT_SECRET: "test-secret-do-not-use-in-production-0123456789",
                // Tests must not depend on a developer's .dev.vars.
                DEV_SIGN_IN: "false",
                // Webhook tests post to a real receiver on 127.0.0.1 (test/receiver/global-setup.ts).
                ALLOW_HTTP_LOCALHOST_CHANNELS: "true",
              },
              // The real limiter binding, with a budget the tests can exhaust deterministically
              // (see test/integration/streaming-burst.test.ts); production keeps wrangler.toml's.
              ratelimits: { INGEST_LIMITER: { namespace_id: "1001", simple: { limit: 1200, period: 60 } } },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/integration/**/*.test.ts", "test/realtime/**/*.test.ts"],
          setupFiles: ["./test/apply-migrations.ts"],
          globalSetup: ["./test/receiver/global-setup.ts"],
          // Integration tests drive real storage through workerd; on a loaded 2-core CI machine a
          // property suite of hundreds of requests needs more than the 5 s default.
          testTimeout: 60_000,
        },
      },
    ],
  },
});
