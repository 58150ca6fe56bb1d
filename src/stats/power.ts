/**
 * Sample size per variant for a two-sided test of a relative effect (POST /power):
 *   n = (z_{1−α/2} + z_{power})² · (σ_c² + σ_t²) / δ²,  δ = baseline_mean · mde_relative,
 * with σ² = p(1 − p) per arm for binomial metrics (p_c = baseline, p_t = baseline·(1 + mde)), and
 * σ_c = σ_t = baseline_stddev otherwise. Each treatment is compared with the control at level α:
 * no Bonferroni over variants (apply a correction and divide α yourself if you plan to). `variants`
 * is accepted for the total: total users = users_per_variant × variants.
 */
import { standardNormalUpperQuantile } from "./distributions";

export interface PowerInput {
  binary: boolean;
  baseline_mean: number;
  baseline_stddev?: number;
  mde_relative: number;
  alpha?: number;
  power?: number;
  variants?: number;
}

/** The unrounded sample size per variant. */
export function usersPerVariantExact(o: PowerInput): number {
  const alpha = o.alpha ?? 0.05;
  const power = o.power ?? 0.8;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(power > 0 && power < 1)) throw new RangeError(`power must be in (0, 1), got ${power}`);
  if (o.variants !== undefined && !(Number.isInteger(o.variants) && o.variants >= 2)) {
    throw new RangeError(`variants must be an integer >= 2, got ${o.variants}`);
  }
  if (!Number.isFinite(o.baseline_mean) || o.baseline_mean === 0) {
    throw new RangeError(`baseline_mean must be finite and non-zero, got ${o.baseline_mean}`);
  }
  if (!Number.isFinite(o.mde_relative) || o.mde_relative === 0) {
    throw new RangeError(`mde_relative must be finite and non-zero, got ${o.mde_relative}`);
  }
  const delta = o.baseline_mean * o.mde_relative;
  let variance: number;
  if (o.binary) {
    const pc = o.baseline_mean;
    const pt = pc * (1 + o.mde_relative);
    if (!(pc > 0 && pc < 1)) throw new RangeError(`a binomial baseline_mean must be in (0, 1), got ${pc}`);
    if (!(pt > 0 && pt < 1)) throw new RangeError(`baseline × (1 + mde) must be in (0, 1), got ${pt}`);
    variance = pc * (1 - pc) + pt * (1 - pt);
  } else {
    const sd = o.baseline_stddev;
    if (sd === undefined || !(sd > 0 && Number.isFinite(sd))) {
      throw new RangeError("baseline_stddev must be given and > 0 for a mean metric");
    }
    variance = 2 * sd * sd;
  }
  const zSum = standardNormalUpperQuantile(alpha / 2) + standardNormalUpperQuantile(1 - power);
  return (zSum * zSum * variance) / (delta * delta);
}

export function requiredUsersPerVariant(o: PowerInput): number {
  return Math.max(2, Math.ceil(usersPerVariantExact(o)));
}
