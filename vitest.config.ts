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
          // Timeouts only catch hangs: no test asserts speed (bench/ does). Some table and property
          // tests (100,000 users, deep JSON) take seconds on a loaded shared machine, past the 5 s default.
          testTimeout: 60_000,
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
                // Key rotation mid-overlap: tokens with kid "next" or "current", or without a kid.
                JWT_SECRETS:
                  "next:test-next-secret-do-not-use-0123456789,current:test-current-secret-do-not-use-0123456789",
                // Tests must not depend on a developer's .dev.vars.
                DEV_SIGN_IN: "false",
                INGEST_LIMIT_PERIOD_SECONDS: "60",
                AUTH_FAILURE_LIMIT_PERIOD_SECONDS: "60",
                ASSIGN_LIMIT_PERIOD_SECONDS: "60",
                ASSIGN_LIMIT_BATCH: "100",
                // Webhook tests post to a real receiver on 127.0.0.1 (test/receiver/global-setup.ts).
                ALLOW_HTTP_LOCALHOST_CHANNELS: "true",
              },
              // The real limiter bindings, with budgets the tests can exhaust deterministically
              // (test/integration/streaming-burst.test.ts, test/integration/rate-limits.test.ts) and
              // that stay above what the other tests spend; production keeps wrangler.toml's. Each
              // period is mirrored in its *_LIMIT_PERIOD_SECONDS var, as in wrangler.toml.
              ratelimits: {
                INGEST_LIMITER: { namespace_id: "1001", simple: { limit: 1200, period: 60 } },
                AUTH_FAILURE_LIMITER: { namespace_id: "1003", simple: { limit: 300, period: 60 } },
                // 1000 units of ASSIGN_LIMIT_BATCH (100) calls: the 10,000-user stickiness test spends 400.
                ASSIGN_LIMITER: { namespace_id: "1004", simple: { limit: 1000, period: 60 } },
                // A small budget that test/integration/rate-limits.test.ts hands the app in place of
                // ASSIGN_LIMITER, so exhausting it takes a few dozen calls.
                ASSIGN_LIMITER_SMALL: { namespace_id: "1005", simple: { limit: 10, period: 60 } },
              },
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
