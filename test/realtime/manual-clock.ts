import type { HubClock } from "../../src/streaming/live/hub";

/**
 * A clock that moves only when the test says so: `advance(ms)` runs, in time order, every timer
 * that falls due (including timers those timers schedule). Installed on a live object's hub, it
 * makes flush timing exact; call `advance` inside runInDurableObject, where the sockets live.
 */
export class ManualClock implements HubClock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.UTC(2026, 10, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  schedule(fn: () => void, delayMs: number): number {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, delayMs), fn });
    return id;
  }

  cancel(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= end && (due === undefined || entry[1].at < due[1].at)) due = entry;
      }
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].fn();
    }
    this.time = end;
  }
}
