import type { D1Migration } from "cloudflare:test";

// The test pool's env is the Worker's generated Env (src/worker-env.d.ts) plus what the tests bind.
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      JWT_SECRETS?: string;
    }
  }
}
