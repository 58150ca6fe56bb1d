/**
 * Field errors of the dashboard's forms, pure (test/unit/experiment-form.test.ts and
 * web-flag-draft.test.ts table the forms that use them). Errors are keyed by the API's paths.
 */

/**
 * After an edit: an error the form's own check still finds keeps its current message; one whose
 * path the form checks (`isLocal`) and no longer finds is fixed and goes; one only the server can
 * find stays until its own field changes (`changed`), or with `changed` null until the next submit
 * (the server is not asked on every keystroke).
 */
export function keepUnfixed(
  shown: Readonly<Record<string, string>>,
  local: Readonly<Record<string, string>>,
  isLocal: (path: string) => boolean,
  changed: string | null = null,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(shown)) {
    const now = local[path];
    if (now !== undefined) out[path] = now;
    else if (path !== changed && !isLocal(path)) out[path] = message;
  }
  return out;
}

/**
 * The API names a problem inside a JSON condition by its full path (`targeting.age.$gt`,
 * `rules.0.condition.age.$gt`); a form has one field per condition. `field` matches such a path
 * with the field as its first group and the inner path as its second; the error is shown at the
 * field as "At <inner>: <message>", keeping the attribute's case (the first one wins). Other
 * errors pass unchanged.
 */
export function foldConditionErrors(errors: Readonly<Record<string, string>>, field: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    const m = field.exec(path);
    if (m?.[1] && m[2]) out[m[1]] ??= `At ${m[2]}: ${message}`;
    else out[path] ??= message;
  }
  return out;
}
