/**
 * Issue 10's acceptance check on structure: imports between the top-level folders of src/ flow one
 * way. Feature folders (assignment, experiments, streaming, ...) never import each other in a
 * cycle; shared infrastructure (http/, db/, stats/, config.ts, env.ts) imports no feature, except
 * a feature's zod-free vocabulary (`model.ts`), which imports nothing but other model modules.
 */
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { isModelModule, type SourceFile, sourceFiles } from "./source-tree";

const INFRASTRUCTURE = new Set(["http", "db", "stats", "config.ts", "env.ts"]);
/** Composition roots: they wire every feature together and nothing imports them but each other. */
const ROOTS = new Set(["app.ts", "index.ts"]);
/**
 * Infrastructure edges that are allowed, with the reason. The bindings' types name the Durable
 * Object class (a type-only reference; `wrangler types` generates the same one).
 */
const ALLOWED_INFRA_IMPORTS = new Set(["src/env -> src/streaming/org-object"]);

/** Repository-relative targets of a file's relative imports and re-exports, without extensions. */
function relativeImports(file: SourceFile): string[] {
  const specs = file.text.matchAll(
    /\bfrom\s*["'](\.{1,2}\/[^"']+)["']|\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)|^\s*import\s*["'](\.{1,2}\/[^"']+)["']/gm,
  );
  return [...specs].map((m) => {
    const spec = m[1] ?? m[2] ?? m[3] ?? "";
    return normalize(join(dirname(file.path), spec))
      .replaceAll("\\", "/")
      .replace(/\.tsx?$/, "");
  });
}

/** `src/<top>/...` gives `<top>`; a file directly in src/ is its own unit (`config.ts`). */
const unitOf = (path: string): string => {
  const parts = path.split("/");
  if (parts.length > 2) return parts[1] ?? path;
  const name = parts[1] ?? path;
  return name.endsWith(".ts") ? name : `${name}.ts`;
};

interface Violations {
  cycles: string[];
  infrastructure: string[];
  models: string[];
}

function checkImports(files: readonly SourceFile[]): Violations {
  const graph = new Map<string, Set<string>>();
  const infrastructure: string[] = [];
  const models: string[] = [];
  for (const file of files) {
    const from = unitOf(file.path);
    if (ROOTS.has(from)) continue;
    for (const target of relativeImports(file)) {
      const to = unitOf(target);
      if (to === from) continue;
      const edge = `${file.path.replace(/\.tsx?$/, "")} -> ${target}`;
      if (isModelModule(file.path) && !isModelModule(`${target}.ts`)) models.push(edge);
      if (INFRASTRUCTURE.has(from)) {
        if (!INFRASTRUCTURE.has(to) && !isModelModule(`${target}.ts`) && !ALLOWED_INFRA_IMPORTS.has(edge)) {
          infrastructure.push(edge);
        }
        continue;
      }
      if (INFRASTRUCTURE.has(to) || isModelModule(`${target}.ts`)) continue;
      const targets = graph.get(from) ?? new Set<string>();
      graph.set(from, targets.add(to));
    }
  }
  return { cycles: findCycles(graph), infrastructure, models };
}

/** Every elementary cycle found by depth-first search, each once, as "a -> b -> a". */
function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const found = new Set<string>();
  const walk = (path: string[]) => {
    const last = path[path.length - 1] as string;
    for (const next of graph.get(last) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) {
        const cycle = path.slice(at);
        // Rotate so the same cycle found from another start reads the same.
        const min = cycle.indexOf([...cycle].sort()[0] as string);
        const canonical = [...cycle.slice(min), ...cycle.slice(0, min)];
        found.add([...canonical, canonical[0]].join(" -> "));
      } else walk([...path, next]);
    }
  };
  for (const start of graph.keys()) walk([start]);
  return [...found].sort();
}

const file = (path: string, ...imports: string[]): SourceFile => ({
  path,
  text: imports.map((i, n) => `import { x${n} } from "${i}";`).join("\n"),
});

describe("the checker", () => {
  it("parses imports, re-exports, multi-line imports and type references", () => {
    const text = [
      'import { a } from "../db/client";',
      "import {\n  b,\n  c,\n} from './model';",
      'export { d } from "../experiments/events";',
      'type E = import("../streaming/org-object").OrgObject;',
      'import "./side-effect";',
      'import { z } from "zod";',
    ].join("\n");
    expect(relativeImports({ path: "src/assignment/x.ts", text })).toEqual([
      "src/db/client",
      "src/assignment/model",
      "src/experiments/events",
      "src/streaming/org-object",
      "src/assignment/side-effect",
    ]);
  });

  it("finds a cycle between two features, and one through a third", () => {
    const two = checkImports([
      file("src/a/x.ts", "../b/y"),
      file("src/b/y.ts", "../a/x"),
      file("src/b/z.ts", "../../db/client"),
    ]);
    expect(two.cycles).toEqual(["a -> b -> a"]);
    const three = checkImports([
      file("src/a/x.ts", "../b/y"),
      file("src/b/y.ts", "../c/z"),
      file("src/c/z.ts", "../a/x"),
    ]);
    expect(three.cycles).toEqual(["a -> b -> c -> a"]);
  });

  it("lets imports flow one way, and features import models and infrastructure freely", () => {
    const ok = checkImports([
      file("src/a/x.ts", "../b/y", "../http/problem", "../b/model"),
      file("src/b/y.ts", "./model", "../db/schema"),
      file("src/b/model.ts"),
      file("src/db/schema.ts", "../b/model"),
    ]);
    expect(ok).toEqual({ cycles: [], infrastructure: [], models: [] });
  });

  it("flags infrastructure importing a feature, and a model importing more than models", () => {
    const bad = checkImports([file("src/http/auth.ts", "../a/x"), file("src/a/model.ts", "../http/problem")]);
    expect(bad.infrastructure).toEqual(["src/http/auth -> src/a/x"]);
    expect(bad.models).toEqual(["src/a/model -> src/http/problem"]);
  });
});

describe("src/", () => {
  it("has no import cycle between feature folders, and infrastructure imports no feature", () => {
    const files = sourceFiles("src");
    expect(files.length).toBeGreaterThan(50);
    expect(checkImports(files)).toEqual({ cycles: [], infrastructure: [], models: [] });
  });
});
