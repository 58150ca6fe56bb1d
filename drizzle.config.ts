import { defineConfig } from "drizzle-kit";

// drizzle-kit generates SQL into migrations/; wrangler applies them (locally, in tests and remotely).
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
