import { describe, expect, it } from "vitest";
import {
  type AlarmState,
  BACKLOG_INTERVAL_MS,
  nextAlarmDelay,
  RETENTION_INTERVAL_MS,
  RULE_INTERVAL_MS,
} from "../../src/streaming/service-alarm";

const idle: AlarmState = { retentionDone: true, rules: 0, holdsData: false, sockets: 0 };

describe("nextAlarmDelay", () => {
  const cases: { name: string; state: Partial<AlarmState>; want: number | null }[] = [
    { name: "idle: no rules, no data, no sockets: no alarm", state: {}, want: null },
    { name: "a retention backlog continues soon", state: { retentionDone: false }, want: BACKLOG_INTERVAL_MS },
    { name: "a backlog wins over rules", state: { retentionDone: false, rules: 3 }, want: BACKLOG_INTERVAL_MS },
    { name: "rules are evaluated on their interval", state: { rules: 1 }, want: RULE_INTERVAL_MS },
    { name: "rules without data still run (no_data)", state: { rules: 2, holdsData: false }, want: RULE_INTERVAL_MS },
    { name: "data without rules: hourly retention", state: { holdsData: true }, want: RETENTION_INTERVAL_MS },
    { name: "open sockets without data: hourly", state: { sockets: 1 }, want: RETENTION_INTERVAL_MS },
    { name: "data and sockets: hourly", state: { holdsData: true, sockets: 4 }, want: RETENTION_INTERVAL_MS },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(nextAlarmDelay({ ...idle, ...c.state })).toBe(c.want);
    });
  }
});
