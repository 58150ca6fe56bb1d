/** Reads the repository's TypeScript sources for the structural tests (vocabulary, import graph). */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface SourceFile {
  /** Repository-relative, forward slashes. */
  path: string;
  text: string;
}

/** Every .ts/.tsx file under `dirs` (repository-relative), sorted, skipping declaration files. */
export function sourceFiles(...dirs: string[]): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (abs: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const full = join(abs, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        out.push({ path: relative(repoRoot, full).replaceAll("\\", "/"), text: readFileSync(full, "utf8") });
      }
    }
  };
  for (const dir of dirs) walk(join(repoRoot, dir));
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** A feature's vocabulary module: the one place its enums, patterns and transitions are written. */
export const isModelModule = (path: string): boolean => /(^|\/)model\.ts$/.test(path);
