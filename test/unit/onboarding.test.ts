// A new user's first contact (issue 12): README's token, the token script's default organization
// and the dashboard's demo sign-in name one organization, so the walk-through's /assign finds what
// the dashboard created.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { DEV_ORG } from "../../src/http/tokens";

describe("onboarding", () => {
  it("npm run token mints for the demo sign-in's organization by default", () => {
    const token = execFileSync(
      process.execPath,
      ["scripts/token.ts", "--secret", "onboarding-test-secret-0123456789"],
      {
        encoding: "utf8",
      },
    ).trim();
    expect(decodeJwt(token)).toMatchObject({ org: DEV_ORG, scope: "read write ingest assign" });
  }, 30_000); // a Node start on a loaded machine

  it.each(["README.md", "docs/guide.md"])("%s mints tokens without naming another organization", (file) => {
    const text = readFileSync(file, "utf8");
    const orgs = [...text.matchAll(/npm run -?s? ?token -- [^\n`]*--org (\S+)/g)].map((m) => m[1]);
    expect(orgs.filter((o) => o !== DEV_ORG && o !== "<org>")).toEqual([]);
  });

  it("README's walk-through uses the default token and mentions the demo organization", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme).toContain("TOKEN=$(npm run -s token)");
    expect(readme).toContain(`\`${DEV_ORG}\` organization`);
    expect(readme).toContain("no_running_experiments");
  });
});
