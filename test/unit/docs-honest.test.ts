/**
 * Keeps the operator docs true to the code (issue 17): every `npm run <script>` and `wrangler <command>`
 * quoted in README.md and docs/ must exist, and every var wrangler.toml declares must be documented.
 * Wrangler's own command registry and config reader are the reference: they are what `wrangler
 * <command> --help` and `wrangler deploy` consult, loaded once in-process instead of one slow CLI start
 * per command.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PAGE_CSP, PAGE_HEADERS } from "../../src/http/security-headers";

interface ArgDef {
  type?: string;
  alias?: string | string[];
}
interface TreeNode {
  subtree: Map<string, TreeNode>;
  definition?: { type: string; args?: Record<string, ArgDef>; positionalArgs?: string[] };
}
interface WranglerApi {
  experimental_getWranglerCommands(): { registry: TreeNode; globalFlags: Record<string, ArgDef> };
  unstable_readConfig(args: { config: string; env?: string }): {
    vars: Record<string, unknown>;
    ratelimits: { name: string; simple: { period: number } }[];
  };
}

let wrangler: WranglerApi;
beforeAll(async () => {
  wrangler = (await import("wrangler")) as unknown as WranglerApi;
}, 60_000);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith(".md") ? [join(dir, e.name)] : [],
  );
}
const DOCS = ["README.md", ...markdownFiles("docs")];

/** The text of code spans and fenced blocks: commands are quoted there, prose may say "wrangler applies". */
function codeOf(markdown: string): string[] {
  const fenced = [...markdown.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  const rest = markdown.replace(/```[^\n]*\n[\s\S]*?```/g, "");
  const spans = [...rest.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? "");
  return [...fenced.flatMap((f) => f.split("\n")), ...spans];
}

/** `wrangler a b --x y` quoted in docs: the words after `wrangler` up to a shell separator or comment. */
function wranglerCommands(code: string): string[][] {
  // Placeholders (`<ISO time>`) and shell substitutions (`$(date +%F)`) are one argument each.
  const flat = code.replace(/<[^>]*>/g, "ARG").replace(/\$\([^)]*\)/g, "ARG");
  return [...flat.matchAll(/(?:^|[\s(])wrangler\s+([^|;&)#`]*)/g)]
    .map((m) => (m[1] ?? "").trim().split(/\s+/).filter(Boolean))
    .filter((words) => words.length > 0 && /^[a-z]/.test(words[0] ?? ""));
}

function npmScripts(code: string): string[] {
  return [...code.matchAll(/npm run((?:\s+-[\w-]+)*)\s+([A-Za-z][\w:.-]*)/g)].map((m) => m[2] ?? "");
}

/** Why the command would not parse (unknown command, namespace without subcommand, unknown flag...), or null. */
function problemWith(words: string[], registry: TreeNode, globalFlags: Record<string, ArgDef>): string | null {
  let node = registry;
  let i = 0;
  for (; i < words.length; i++) {
    const child = node.subtree.get(words[i] ?? "");
    if (!child) break;
    node = child;
  }
  if (i === 0) return `unknown command '${words[0]}'`;
  const def = node.definition;
  if (def?.type !== "command") return `'${words.slice(0, i).join(" ")}' needs a subcommand (got '${words[i] ?? ""}')`;
  const args: Record<string, ArgDef> = { ...globalFlags, ...def.args };
  const names = new Map<string, ArgDef>();
  for (const [name, a] of Object.entries(args)) {
    names.set(name, a);
    for (const alias of [a.alias ?? []].flat()) names.set(alias, a);
  }
  let positionals = 0;
  for (; i < words.length; i++) {
    const w = words[i] ?? "";
    if (w.startsWith("-")) {
      const name = w.replace(/^-+/, "").split("=")[0] ?? "";
      const a = names.get(name) ?? names.get(name.replace(/^no-/, ""));
      if (!a) return `unknown flag '${w}' for 'wrangler ${words.slice(0, words.indexOf(w)).join(" ")}'`;
      if (!w.includes("=") && a.type !== "boolean") i++; // the flag's value
    } else {
      positionals++;
    }
  }
  const allowed = def.positionalArgs?.length ?? 0;
  return positionals > allowed ? `too many positional arguments (${positionals} > ${allowed})` : null;
}

describe("commands quoted in the docs exist", () => {
  const quoted = DOCS.flatMap((file) => codeOf(readFileSync(file, "utf8")).map((code) => ({ file, code })));

  it("every `npm run <script>` names a script of package.json", () => {
    const scripts = new Set(Object.keys(JSON.parse(readFileSync("package.json", "utf8")).scripts));
    const missing = quoted.flatMap(({ file, code }) =>
      npmScripts(code)
        .filter((s) => !scripts.has(s))
        .map((s) => `${file}: npm run ${s}`),
    );
    expect(missing).toEqual([]);
    expect(quoted.flatMap(({ code }) => npmScripts(code)).length).toBeGreaterThan(5);
  });

  it("every `wrangler <command>` in the docs and package.json scripts parses: command, flags, positionals", () => {
    const { registry, globalFlags } = wrangler.experimental_getWranglerCommands();
    const scripts = Object.values(JSON.parse(readFileSync("package.json", "utf8")).scripts as Record<string, string>);
    const sources = [...quoted, ...scripts.map((code) => ({ file: "package.json", code }))];
    const seen = new Map<string, string | null>(); // one check per distinct command line
    const bad: string[] = [];
    for (const { file, code } of sources) {
      for (const words of wranglerCommands(code)) {
        const key = words.join(" ");
        if (!seen.has(key)) seen.set(key, problemWith(words, registry, globalFlags));
        const problem = seen.get(key);
        if (problem) bad.push(`${file}: wrangler ${key}: ${problem}`);
      }
    }
    expect(bad).toEqual([]);
    expect(seen.size).toBeGreaterThan(5);
  });

  it("the checker itself refuses what wrangler would refuse", () => {
    const { registry, globalFlags } = wrangler.experimental_getWranglerCommands();
    const cases: [string, boolean][] = [
      ["d1 migrations apply DB --remote", true],
      ["deploy --dry-run --env staging --outdir dist/worker", true],
      ["secret put JWT_SECRET --env staging", true],
      ["d1 nonsense", false],
      ["d1 migrations", false],
      ["deploy --no-such-flag", false],
      ["publishx", false],
      ["d1 create a b c", false],
    ];
    for (const [line, ok] of cases) {
      expect(problemWith(line.split(" "), registry, globalFlags) === null, line).toBe(ok);
    }
  });
});

describe("wrangler.toml is documented and consistent", () => {
  const operations = readFileSync("docs/operations.md", "utf8");

  it("every var of [vars] and [env.staging.vars] is named in docs/operations.md", () => {
    const undocumented = [undefined, "staging"].flatMap((env) =>
      Object.keys(wrangler.unstable_readConfig({ config: "wrangler.toml", env }).vars)
        .filter((name) => !new RegExp(`\\b${name}\\b`).test(operations))
        .map((name) => `${env ?? "default"}: ${name}`),
    );
    expect(undocumented).toEqual([]);
  });

  it("each limiter's period var equals its [[ratelimits]] period, in every environment", () => {
    for (const env of [undefined, "staging"]) {
      const config = wrangler.unstable_readConfig({ config: "wrangler.toml", env });
      expect(config.ratelimits.length).toBeGreaterThan(0);
      for (const limiter of config.ratelimits) {
        const periodVar = limiter.name.replace(/_LIMITER$/, "_LIMIT_PERIOD_SECONDS");
        expect(config.vars[periodVar], `${env ?? "default"}: ${periodVar}`).toBe(String(limiter.simple.period));
      }
    }
  });
});

describe("the Worker-rendered pages keep the dashboard's security headers", () => {
  it("PAGE_HEADERS and PAGE_CSP equal web/public/_headers' `/*` block", () => {
    const block = /^\/\*\n((?:[ \t]+.+\n?)+)/m.exec(readFileSync("web/public/_headers", "utf8"))?.[1] ?? "";
    const headers = Object.fromEntries(
      block
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
    );
    const { "Content-Security-Policy": csp, ...rest } = headers;
    expect(rest).toEqual(PAGE_HEADERS);
    const directives = Object.fromEntries(
      (csp ?? "").split(";").map((d) => {
        const [name, ...sources] = d.trim().split(/\s+/);
        return [name, sources];
      }),
    );
    expect(directives).toEqual(PAGE_CSP);
  });
});

describe("docs/api.md names every bound of a body number", () => {
  /** The notes column of each field row in the reference's `### <name>` table. */
  const notes = (schema: string): Record<string, string> => {
    const section = readFileSync("docs/api.md", "utf8").split(`\n### ${schema}\n`)[1]?.split("\n### ")[0] ?? "";
    return Object.fromEntries(
      [...section.matchAll(/^\| `([^`]+)` \|.*\| ([^|]*) \|$/gm)].map((m) => [m[1], (m[2] ?? "").trim()]),
    );
  };

  // The open bounds (decimalNumber's `above` and `below`, OpenAPI's exclusiveMinimum/Maximum) were
  // left out of the tables: `alpha` read as unbounded, `mde_relative` as "max 100" with no floor.
  it.each([
    ["baseline_stddev", "above 0"],
    ["mde_relative", "above 0, max 100"],
    ["alpha", "above 0, below 1"],
    ["power", "above 0, below 1"],
  ])("PowerIn.%s says %s", (field, bounds) => {
    expect(notes("PowerIn")[field]).toMatch(new RegExp(`(^|; )${bounds}$`));
  });
});
