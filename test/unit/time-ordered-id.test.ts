import { describe, expect, it } from "vitest";
import { uuidV7 } from "../../src/streaming/time-ordered-id";

const bytes = (...b: number[]) => Uint8Array.from(b);
const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("uuidV7", () => {
  it("reproduces RFC 9562's example (appendix A.6)", () => {
    // unix_ts_ms 0x017F22E279B0, rand_a 0xCC3, var 0b10, rand_b 0x18C4DC0C0C07398F.
    const random = bytes(0x0c, 0xc3, 0x18, 0xc4, 0xdc, 0x0c, 0x0c, 0x07, 0x39, 0x8f);
    expect(uuidV7(0x017f22e279b0, random)).toBe("017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
  });

  it.each([
    ["the epoch", 0, "00000000-0000"],
    ["2026-12-03", Date.UTC(2026, 11, 3), Date.UTC(2026, 11, 3).toString(16).padStart(12, "0")],
    ["the largest 48-bit time", 2 ** 48 - 1, "ffffffff-ffff"],
    ["past 48 bits: clamped", 2 ** 50, "ffffffff-ffff"],
    ["negative: clamped to 0", -5, "00000000-0000"],
    ["a fraction: truncated", 1.9, "00000000-0001"],
  ])("time field at %s", (_label, ms, hex) => {
    const id = uuidV7(ms, bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    expect(id.replace("-", "").slice(0, 12)).toBe(hex.replace("-", ""));
    expect(id).toMatch(V7);
  });

  it.each([
    ["all zero bits", bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "7000-8000-000000000000"],
    ["all one bits", bytes(255, 255, 255, 255, 255, 255, 255, 255, 255, 255), "7fff-bfff-ffffffffffff"],
  ])("version and variant hold whatever the random bits: %s", (_label, random, tail) => {
    expect(uuidV7(1, random).slice(-tail.length)).toBe(tail);
  });

  it("ids of later milliseconds sort after earlier ones; random ids of one millisecond differ", () => {
    const ms = Date.UTC(2030, 0, 1);
    const ids = Array.from({ length: 200 }, (_, i) => uuidV7(ms + Math.floor(i / 10)));
    for (let i = 10; i < ids.length; i++) {
      expect((ids[i] as string) > (ids[i - 10] as string)).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(V7);
  });
});
