/**
 * The integration panel's snippets for one experiment, pure so test/unit/snippets.test.ts checks
 * that each names the right routes, id and key (and that the JSON bodies parse).
 */
import type { Snippet } from "../ui/Snippets";

export interface SnippetTarget {
  id: string;
  key: string;
  primary_metric: string | null;
  variants: readonly { key: string; variant_type: string }[];
}

/** Single quotes for a POSIX shell: safe for any id, key or metric name. */
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function snippets(e: SnippetTarget, origin: string): Snippet[] {
  const base = `${origin.replace(/\/+$/, "")}/api/v1/ab-testing`;
  const metric = e.primary_metric ?? "conversion";
  const auth = `-H "Authorization: Bearer $TOKEN"`;
  const json = `-H 'Content-Type: application/json'`;
  const tokenNote = "# TOKEN: a JWT of your organization (locally: TOKEN=$(npm run -s token))";
  const treatment = e.variants.find((v) => v.variant_type !== "control")?.key ?? "treatment";
  const assignBody = JSON.stringify({ user_id: "user-42", experiments: [e.key] });
  const resultBody = JSON.stringify({ metric_name: metric, metric_value: 1, user_id: "user-42" });
  return [
    {
      id: "assign",
      label: "curl: assign",
      language: "sh",
      code: [
        tokenNote,
        "# The user's variant (the same every time); an in-experiment answer counts the user as exposed.",
        `curl -s ${auth} ${json} \\`,
        `  ${base}/assign -d ${shq(assignBody)}`,
      ].join("\n"),
    },
    {
      id: "results",
      label: "curl: results",
      language: "sh",
      code: [
        tokenNote,
        '# Record a result for an exposed user (needs the ingest scope; up to 1000 in { "results": [...] })',
        `curl -s ${auth} ${json} \\`,
        `  ${base}/experiments/${encodeURIComponent(e.id)}/results -d ${shq(resultBody)}`,
        "# Read the analysis",
        `curl -s ${auth} ${base}/experiments/${encodeURIComponent(e.id)}/results`,
      ].join("\n"),
    },
    {
      id: "sdk",
      label: "TypeScript SDK",
      language: "ts",
      code: [
        "// src/sdk/ of this repository: no dependencies; browsers, Workers and Node 18+.",
        'import { ExperimentClient } from "./sdk";',
        "",
        "const client = new ExperimentClient({",
        `  baseUrl: ${JSON.stringify(origin)},`,
        "  token: () => getAssignToken(), // a JWT with the assign scope",
        "  reportExposures: true, // batches in-experiment answers to POST /exposures",
        "});",
        "",
        "await client.ensureFresh(); // GET /config once, then revalidates with its ETag",
        `const a = client.getVariant(${JSON.stringify(e.key)}, userId); // local evaluation, no request`,
        `if (a?.variant_key === ${JSON.stringify(treatment)}) {`,
        "  // show the treatment",
        "}",
        "await client.flushExposures(); // before the page or process goes away",
      ].join("\n"),
    },
  ];
}
