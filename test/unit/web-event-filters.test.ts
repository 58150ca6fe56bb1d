// The event browser's filters: URL round trip and the GET /events query they produce.
import { describe, expect, it } from "vitest";
import {
  emptyFilters,
  type EventFilters,
  filtersToSearch,
  localToEpoch,
  parseFilters,
  rangeError,
  toApiQuery,
} from "../../web/src/events/filters";

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const f = (over: Partial<EventFilters>): EventFilters => ({ ...emptyFilters(), ...over });

describe("filtersToSearch / parseFilters", () => {
  it.each([
    [f({}), ""],
    [f({ type: "  click " }), "?type=click"],
    [f({ source: "src-1" }), "?source=src-1"],
    [f({ range: "1h" }), "?range=1h"],
    [
      f({ range: "custom", since: "2026-12-01T10:00", until: "2026-12-01T11:30" }),
      "?range=custom&since=2026-12-01T10%3A00&until=2026-12-01T11%3A30",
    ],
    // Bounds only mean something with the custom range.
    [f({ range: "1h", since: "2026-12-01T10:00" }), "?range=1h"],
    [f({ type: "a b&c", source: "s" }), "?type=a+b%26c&source=s"],
    [f({ processed: "false" }), "?processed=false"],
    [f({ processed: "true", range: "all" }), "?processed=true&range=all"],
  ])("%o → %s and back", (filters, search) => {
    expect(filtersToSearch(filters)).toBe(search);
    const back = parseFilters(new URLSearchParams(search));
    expect(filtersToSearch(back)).toBe(search);
  });

  it.each([
    ["?range=forever", f({})],
    ["?range=custom&since=yesterday&until=2026-12-01T11:30", f({ range: "custom", until: "2026-12-01T11:30" })],
    ["?type=%20x%20", f({ type: "x" })],
    ["?processed=maybe", f({})],
  ])("reads %s leniently", (search, expected) => {
    expect(parseFilters(new URLSearchParams(search))).toEqual(expected);
  });
});

describe("toApiQuery", () => {
  const local = (s: string) => String(new Date(s).getTime());
  it.each<[EventFilters, ReturnType<typeof toApiQuery>]>([
    [f({}), { query: { since: String(NOW - 86_400_000) } }],
    [f({ range: "15m" }), { query: { since: String(NOW - 900_000) } }],
    [f({ range: "7d" }), { query: { since: String(NOW - 7 * 86_400_000) } }],
    [f({ range: "all", type: "click", source: "s1" }), { query: { event_type: "click", source_id: "s1" } }],
    [f({ range: "all", processed: "false" }), { query: { processed: "false" } }],
    [f({ range: "1h", processed: "true" }), { query: { processed: "true", since: String(NOW - 3_600_000) } }],
    [f({ range: "custom" }), { query: {} }],
    [
      f({ range: "custom", since: "2026-12-01T10:00", until: "2026-12-01T11:00" }),
      { query: { since: local("2026-12-01T10:00"), until: local("2026-12-01T11:00") } },
    ],
    [f({ range: "custom", until: "2026-12-01T11:00" }), { query: { until: local("2026-12-01T11:00") } }],
    [
      f({ range: "custom", since: "2026-12-01T12:00", until: "2026-12-01T11:00" }),
      { error: "Pick a time after From." },
    ],
  ])("%o", (filters, expected) => {
    expect(toApiQuery(filters, NOW)).toEqual(expected);
  });

  // Checked before any request: the page shows it at the "To" field and does not navigate.
  it.each<[EventFilters, string | null]>([
    [f({ range: "custom", since: "2026-12-01T12:00", until: "2026-12-01T11:00" }), "Pick a time after From."],
    [f({ range: "custom", since: "2026-12-01T12:00", until: "2026-11-30T23:59" }), "Pick a time after From."],
    [f({ range: "custom", since: "2026-12-01T11:00", until: "2026-12-01T12:00" }), null],
    [f({ range: "custom", since: "2026-12-01T11:00", until: "2026-12-01T11:00" }), null],
    [f({ range: "custom", since: "2026-12-01T11:00" }), null],
    [f({ range: "custom", until: "2026-12-01T11:00" }), null],
    [f({ range: "custom" }), null],
    // Bounds left from a custom range once another range is picked are not read.
    [f({ range: "24h", since: "2026-12-01T12:00", until: "2026-12-01T11:00" }), null],
  ])("rangeError(%o) = %j", (filters, error) => {
    expect(rangeError(filters)).toBe(error);
  });

  it.each([
    ["", null],
    ["2026-12-01", null],
    ["2026-13-45T99:99", null],
    ["2026-12-01T10:00", new Date("2026-12-01T10:00").getTime()],
  ])("localToEpoch(%s)", (value, expected) => {
    expect(localToEpoch(value)).toBe(expected);
  });
});
