/**
 * The seeded runs that check a cache against fresh reads (alerting-baseline-cache,
 * chart-merged-buckets): `lat` points over four hosts, and steps that move the clock and write
 * points where a cache could go stale.
 */
import { as } from "./helpers";
import { pinClock } from "./org-object";
import { SeededRandom } from "./seeded-random";

/** A `lat` point at `ts`: a value of 0 to 100 in tenths, env prod (70%) or dev, host h0 to h3. */
export const latPoint = (rng: SeededRandom) => (ts: number) => ({
  name: "lat",
  value: Math.round(rng.uniform() * 1000) / 10,
  timestamp: new Date(ts).toISOString(),
  tags: { env: rng.uniform() < 0.7 ? "prod" : "dev", host: `h${Math.floor(rng.uniform() * 4)}` },
});

/**
 * Step `step` of a run: the clock moves (small steps keep bucket edges, large ones cross them),
 * then 5 points, by turns: now, back-dated up to `backMs`, ahead within the 5 minutes allowed, and
 * within the last minute. `backDated` says the batch is the second kind.
 */
export function seededStep<P>(
  rng: SeededRandom,
  before: number,
  step: number,
  backMs: number,
  point: (ts: number) => P,
) {
  const now = before + Math.floor(rng.uniform() * (step % 2 === 0 ? 20_000 : 400_000));
  const kind = step % 4;
  const batch = Array.from({ length: 5 }, () =>
    point(
      kind === 0
        ? now
        : kind === 1
          ? now - Math.floor(rng.uniform() * backMs)
          : kind === 2
            ? now + Math.floor(rng.uniform() * 290_000)
            : now - Math.floor(rng.uniform() * 60_000),
    ),
  );
  return { now, batch, backDated: kind === 1 };
}

/**
 * The start of a run: `org`'s client, the seeded generator (seed 20261205), the object's clock
 * pinned at the run's start, and `lat` points every `everyMs` over the `historyMs` before it, for
 * the test to post as it likes.
 */
export async function seededRun(org: string, historyMs: number, everyMs: number) {
  const c = await as(org);
  const rng = new SeededRandom(20261205);
  const now = Date.UTC(2026, 11, 5, 10, 41, 7, 250);
  await pinClock(org, now);
  const point = latPoint(rng);
  const history: ReturnType<typeof point>[] = [];
  for (let ts = now - historyMs; ts <= now; ts += everyMs) history.push(point(ts));
  return { c, rng, now, point, history };
}
