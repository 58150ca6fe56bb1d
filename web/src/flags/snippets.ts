/**
 * The flag page's "Use it in code" snippets, pure so test/unit/web-flag-snippets.test.ts checks
 * that each names the right route and key and that the JSON body parses: the service's evaluation
 * (curl), and local evaluation with the TypeScript and Python SDKs.
 */
import { shq } from "../experiments/snippets";
import type { Snippet } from "../ui/Snippets";

/** A Python literal for a JSON value (True/False/None differ from JSON, inside a json flag's value too). */
const py = (v: unknown): string =>
  v === true
    ? "True"
    : v === false
      ? "False"
      : v == null
        ? "None"
        : Array.isArray(v)
          ? `[${v.map(py)}]`
          : typeof v === "object"
            ? `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${py(x)}`)}}`
            : JSON.stringify(v);

export function flagSnippets(flag: { key: string; default_value: unknown }, origin: string): Snippet[] {
  const root = origin.replace(/\/+$/, "");
  const body = JSON.stringify({ user_id: "user-42", attributes: { country: "FR" }, flags: [flag.key] });
  const k = JSON.stringify(flag.key);
  return [
    {
      id: "evaluate",
      label: "curl: evaluate",
      language: "sh",
      code: [
        "# TOKEN: a JWT of your organization with the assign scope (locally: TOKEN=$(npm run -s token))",
        "# The flag's value for one user, from the service: { flags: { key: { value, rule_index, reason } } }",
        `curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
        `  ${root}/api/v1/ab-testing/flags/evaluate -d ${shq(body)}`,
      ].join("\n"),
    },
    {
      id: "ts",
      label: "TypeScript SDK",
      language: "ts",
      code: [
        "// src/sdk/ of this repository: evaluates locally from GET /config, no request per call.",
        'import { ExperimentClient } from "./sdk";',
        "",
        `const client = new ExperimentClient({ baseUrl: ${JSON.stringify(root)}, token: () => getAssignToken() });`,
        "await client.ensureFresh();",
        `const flag = client.getFlag(${k}, userId, { country: "FR" }); // { value, rule_index, reason }`,
        `const value = flag.reason === "not_found" ? ${JSON.stringify(flag.default_value ?? null)} : flag.value;`,
      ].join("\n"),
    },
    {
      id: "py",
      label: "Python SDK",
      language: "py",
      code: [
        "# sdk/python of this repository: standard library only, evaluates locally from GET /config.",
        "from edge_experiments import ExperimentClient",
        "",
        `client = ExperimentClient(${JSON.stringify(root)}, token=lambda: get_assign_token())`,
        "client.ensure_fresh()",
        `flag = client.get_flag(${k}, user_id, {"country": "FR"})  # {"value", "rule_index", "reason"}`,
        `value = ${py(flag.default_value)} if flag["reason"] == "not_found" else flag["value"]`,
      ].join("\n"),
    },
  ];
}
