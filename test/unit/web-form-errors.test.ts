// How every form words the API's field errors (web/src/ui/form-errors.ts): the experiment, metric and
// flag forms, and the sources, rules, channels and silences forms of the operations pages.
import { describe, expect, it } from "vitest";
import { plainErrors, plainMessage, refusalMessage } from "../../web/src/ui/form-errors";

describe("plainMessage", () => {
  it.each([
    ["Too small: expected string to have >=1 characters", "This can't be empty."],
    ["Too big: expected string to have <=200 characters", "Use at most 200 characters."],
    ["Invalid input: expected number, received null", "Enter a number."],
    ["must be 1-64 characters of [a-z0-9_-]", "Use 1-64 lowercase letters, digits, _ or -."],
    [
      "must be a percentage from 0 to 100 with at most 2 decimals",
      "Enter a percentage from 0 to 100, with at most 2 decimals.",
    ],
    ['Invalid option: expected one of "control"|"treatment"', "Pick one of control, treatment."],
    ['required: one of "control"|"treatment"', "Pick one of control, treatment."],
    ["required: expected number", "Enter a number."],
    ["required: expected string", "This can't be empty."],
    ["required: an ISO-8601 time with a zone (2026-12-03T10:00:00Z) or epoch milliseconds", "This can't be empty."],
    ["Invalid input: expected string, received null", "This can't be empty."],
    ["'conversion' is listed twice", "'conversion' is listed twice"],
    ["duplicate variant key 'a'", "Duplicate variant key 'a'"],
    // What the sources, rules and channels routes answer (src/streaming/schemas.ts, notify/schemas.ts).
    [
      'Invalid option: expected one of "kafka"|"websocket"|"http"|"webhook"',
      "Pick one of kafka, websocket, http, webhook.",
    ],
    ["must not contain control characters", "Remove the control characters (tabs, line breaks)."],
    ["Too big: expected string to have <=2000 characters", "Use at most 2000 characters."],
    ["Too small: expected number to be >=10", "Enter 10 or more."],
    ["Too big: expected number to be <=86400", "Enter 86400 or less."],
    ["Too small: expected number to be >=0.5", "Enter 0.5 or more."],
    ["Too small: expected number to be >0", "Enter more than 0."],
    ["Too big: expected number to be <1", "Enter less than 1."],
    ["Too small: expected number to be >=-5", "Enter -5 or more."],
    ["Invalid input: expected int, received number", "Enter a whole number."],
    ["must be a whole number from 10 to 2678400 (seconds, up to 31 days)", "Enter a whole number from 10 to 2678400."],
    ["required: a whole number from 3 to 500 (windows)", "Enter a whole number from 3 to 500."],
    // src/http/params.ts decimalNumber: sensitivity, a namespace's start and end.
    ["must be a number from 0.5 to 100", "Enter a number from 0.5 to 100."],
    ["required: a number from 0 to 1", "Enter a number from 0 to 1."],
    ["must be a number greater than 0 and less than 1", "Enter a number greater than 0 and less than 1."],
    ["must be a number from 1 to 1000000000 (users)", "Enter a number from 1 to 1000000000."],
    ["must be a finite number", "Must be a finite number"],
    ["Too small: expected array to have >=1 items", "Pick at least 1."],
    ["Too big: expected array to have <=20 items", "Pick at most 20."],
    ["is read-only or unknown: not accepted in this request", "This field can't be set here."],
    ["only for anomaly rules", "Only for anomaly rules"],
    [
      "must be a public host (not this machine or a private network)",
      "Must be a public host (not this machine or a private network)",
    ],
    ["", ""],
  ])("plainMessage(%j)", (raw, plain) => {
    expect(plainMessage(raw)).toBe(plain);
  });
});

describe("plainErrors", () => {
  it("words every message and keeps every path", () => {
    expect(
      plainErrors({
        window_seconds: "Too small: expected number to be >=10",
        "tags.region": "a model rule filters by model and version only",
      }),
    ).toEqual({ window_seconds: "Enter 10 or more.", "tags.region": "A model rule filters by model and version only" });
  });
});

describe("refusalMessage", () => {
  const err = (message: string, errors?: unknown[]) => ({ message, problem: errors ? { errors } : null });
  it.each([
    [
      "field errors: they are listed under the line",
      err("request validation failed", [{}]),
      "The rule was not saved. Please fix:",
    ],
    ["no field named: the server's reason", err("a rule with this name exists"), "a rule with this name exists"],
    ["an empty list: the server's reason", err("conflict", []), "conflict"],
  ])("%s", (_name, e, line) => {
    expect(refusalMessage(e, "rule")).toBe(line);
  });
});
