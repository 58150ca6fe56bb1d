import { describe, expect, it } from "vitest";
import { getConfig } from "../../src/config";
import type { Env } from "../../src/env";
import { verifyToken } from "../../src/http/auth";
import { ProblemError } from "../../src/http/problem";
import { signToken } from "../../src/http/tokens";

const OLD = "old-secret-0123456789abcdef";
const NEW = "new-secret-0123456789abcdef";
const enc = (s: string) => new TextEncoder().encode(s);
const configOf = (vars: Partial<Env>) => getConfig(vars as Env);
const claims = { sub: "svc", org: "acme", scope: "read" };

async function outcome(token: string, vars: Partial<Env>): Promise<string> {
  try {
    await verifyToken(token, configOf(vars));
    return "ok";
  } catch (err) {
    if (err instanceof ProblemError) return `${err.status} ${err.message}`;
    throw err;
  }
}

describe("key rotation with overlap", () => {
  it("every phase accepts exactly the tokens of its configured keys", async () => {
    const legacy = await signToken(enc(OLD), claims);
    const oldKid = await signToken(enc(OLD), claims, 600, "k1");
    const newKid = await signToken(enc(NEW), claims, 600, "k2");
    // Each phase is a fresh env object, as a deploy gives, checked in the order an operator goes.
    const phases: { name: string; vars: Partial<Env>; expect: [string, string, string] }[] = [
      { name: "before: single JWT_SECRET", vars: { JWT_SECRET: OLD }, expect: ["ok", "401", "401"] },
      {
        name: "named old key beside it",
        vars: { JWT_SECRET: OLD, JWT_SECRETS: `k1:${OLD}` },
        expect: ["ok", "ok", "401"],
      },
      {
        name: "overlap: new key added",
        vars: { JWT_SECRET: OLD, JWT_SECRETS: `k2:${NEW},k1:${OLD}` },
        expect: ["ok", "ok", "ok"],
      },
      { name: "after: old keys removed", vars: { JWT_SECRETS: `k2:${NEW}` }, expect: ["401", "401", "ok"] },
    ];
    for (const phase of phases) {
      const got = await Promise.all([legacy, oldKid, newKid].map((t) => outcome(t, phase.vars)));
      expect(
        got.map((g) => g.slice(0, 3).replace("ok", "ok")),
        phase.name,
      ).toEqual(phase.expect);
    }
  });

  it("refusals say why: unknown kid, missing kid when only named keys exist", async () => {
    const unknown = await signToken(enc(NEW), claims, 600, "k9");
    expect(await outcome(unknown, { JWT_SECRETS: `k2:${NEW}` })).toBe("401 token 'kid' is not a current key");
    const kidless = await signToken(enc(NEW), claims);
    expect(await outcome(kidless, { JWT_SECRETS: `k2:${NEW}` })).toBe("401 token has no 'kid' header");
  });

  it("the verified-token cache forgets a token once its key is gone, even with the same config object", async () => {
    const config = configOf({ JWT_SECRETS: `k2:${NEW},k1:${OLD}` });
    const token = await signToken(enc(OLD), claims, 600, "k1");
    await expect(verifyToken(token, config)).resolves.toMatchObject({ principal: { org: "acme" } });
    // The same object mutated in place (no new deploy): the cached success must not outlive the key.
    (config.jwt.byKid as Map<string, Uint8Array>).delete("k1");
    await expect(verifyToken(token, config)).rejects.toThrow("token 'kid' is not a current key");
    // A different secret under the same kid does not verify the cached token either.
    (config.jwt.byKid as Map<string, Uint8Array>).set("k1", enc(NEW));
    await expect(verifyToken(token, config)).rejects.toThrow("token signature is invalid");
  });

  it("JWT_SECRETS entries are validated: kid:secret, unique kids, 16+ character secrets", () => {
    for (const bad of ["nocolon", "k1:short", `k1:${OLD},k1:${NEW}`, `bad kid:${OLD}`, `:${OLD}`]) {
      expect(() => configOf({ JWT_SECRETS: bad }), bad).toThrow("invalid Worker configuration");
    }
    expect(() => configOf({})).toThrow("set JWT_SECRET or JWT_SECRETS");
    // A secret may contain ':'; the first entry signs.
    const config = configOf({ JWT_SECRETS: `k2:${NEW}:x,k1:${OLD}` });
    expect(config.jwt.signing.kid).toBe("k2");
    expect(new TextDecoder().decode(config.jwt.signing.secret)).toBe(`${NEW}:x`);
  });
});
