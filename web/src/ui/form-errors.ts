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

export const PERCENT_TEXT = "Enter a percentage from 0 to 100, with at most 2 decimals.";
const BOUND: Record<string, string> = { ">=": "$ or more", "<=": "$ or less", ">": "more than $", "<": "less than $" };

/**
 * The validator's wording (zod's, the model's) in plain language, for every form that shows the
 * API's field errors; unknown messages pass unchanged but capitalised.
 */
const PLAIN: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Too small: expected string to have >=1 characters?$/, () => "This can't be empty."],
  [/^Too small: expected string to have >=(\d+) characters$/, (m) => `Use at least ${m[1]} characters.`],
  [/^Too big: expected string to have <=(\d+) characters$/, (m) => `Use at most ${m[1]} characters.`],
  [
    /^Too (?:small|big): expected number to be ([<>]=?)(\S+)$/,
    (m) => `Enter ${BOUND[m[1] ?? ""]?.replace("$", m[2] ?? "")}.`,
  ],
  [/^Too small: expected array to have >=(\d+) items?$/, (m) => `Pick at least ${m[1]}.`],
  [/^Too big: expected array to have <=(\d+) items$/, (m) => `Pick at most ${m[1]}.`],
  [/^Invalid input: expected int, received number$/, () => "Enter a whole number."],
  // src/http/params.ts wholeNumber and decimalNumber: the server's own range (a unit stays in the
  // field's label).
  [/^(?:must be|required:) a ((?:whole )?number [^(]+?)(?: \(.*)?$/, (m) => `Enter a ${m[1]}.`],
  // A missing field: the server says `required: …` (src/http/zod-messages.ts).
  [/^(Invalid input: expected number, received (null|NaN|string)|required: expected number)$/, () => "Enter a number."],
  [
    /^(Invalid option: expected|required:) one of (.+)$/,
    (m) => `Pick one of ${m[2]?.replace(/"/g, "").replace(/\|/g, ", ")}.`,
  ],
  [/^(Invalid input: expected string, received null|required\b.*)$/, () => "This can't be empty."],
  [/^must be 1-(\d+) characters of /, (m) => `Use 1-${m[1]} lowercase letters, digits, _ or -.`],
  [/^must be a percentage from 0 to 100/, () => PERCENT_TEXT],
  [/^must not contain control characters$/, () => "Remove the control characters (tabs, line breaks)."],
  // src/http/validation.ts: a field the request may not set.
  [/^is read-only or unknown/, () => "This field can't be set here."],
];

export function plainMessage(message: string): string {
  for (const [pattern, say] of PLAIN) {
    const m = pattern.exec(message);
    if (m) return say(m);
  }
  // Our own messages start lowercase ("'x' is listed twice"); a sentence reads better capitalised.
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** Server field errors, in plain language. */
export const plainErrors = (errors: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(errors).map(([path, m]) => [path, plainMessage(m)]));

/**
 * The line above a refused save's field errors: "The rule was not saved. Please fix:" when the
 * server named fields (they are listed under it), else the server's own reason.
 */
export const refusalMessage = (err: { message: string; problem: { errors?: unknown[] } | null }, what: string) =>
  err.problem?.errors?.length ? `The ${what} was not saved. Please fix:` : err.message;
