import { describe, expect, it } from "vitest";
import { EXPERIMENT_STATUSES, type ExperimentStatus } from "../../src/experiments/model";
import {
  type Audience,
  audienceNotes,
  type ListedExperiment,
  nextScheduled,
} from "../../web/src/experiments/list-notes";

const START = "2031-06-01T09:00:00.000Z";
const END = "2031-07-01T09:00:00.000Z";
const listed = (status: ExperimentStatus, start: string | null, end: string | null): ListedExperiment => ({
  status,
  targeting: null,
  namespace: null,
  scheduled_start_at: start,
  scheduled_end_at: end,
});

describe("nextScheduled: what the scheduler does next (src/scheduling/repository.ts picks the same)", () => {
  // [status, start, end, expected]: every status against every combination of schedules.
  const want: Record<ExperimentStatus, [boolean, boolean, ReturnType<typeof nextScheduled>][]> = {
    draft: [
      [false, false, null],
      [true, false, { action: "starts", at: START }],
      [false, true, null],
      [true, true, { action: "starts", at: START }],
    ],
    running: [
      [false, false, null],
      [true, false, null],
      [false, true, { action: "ends", at: END }],
      [true, true, { action: "ends", at: END }],
    ],
    paused: [
      [false, false, null],
      [true, false, null],
      [false, true, { action: "ends", at: END }],
      [true, true, { action: "ends", at: END }],
    ],
    completed: [
      [false, false, null],
      [true, false, null],
      [false, true, null],
      [true, true, null],
    ],
  };
  it("covers every status", () => expect(Object.keys(want).sort()).toEqual([...EXPERIMENT_STATUSES].sort()));
  it.each(
    EXPERIMENT_STATUSES.flatMap((status) =>
      want[status].map(([start, end, expected]) => [status, start, end, expected] as const),
    ),
  )("%s, start %s, end %s → %j", (status, start, end, expected) => {
    expect(nextScheduled(listed(status, start ? START : null, end ? END : null))).toEqual(expected);
  });
});

describe("audienceNotes", () => {
  it.each<[Audience, string[]]>([
    [{ targeting: null, namespace: null }, []],
    [{ targeting: {}, namespace: null }, []],
    [{ targeting: { country: "FR" }, namespace: null }, ["targeted"]],
    [{ targeting: null, namespace: { key: "checkout", start: 0, end: 0.5 } }, ["namespace checkout [0, 0.5)"]],
    [
      { targeting: { $or: [{ plan: "pro" }] }, namespace: { key: "home", start: 0.25, end: 1 } },
      ["targeted", "namespace home [0.25, 1)"],
    ],
  ])("%j → %j", (e, want) => {
    expect(audienceNotes(e)).toEqual(want);
  });
});
