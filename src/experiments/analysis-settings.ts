/** How an experiment's results are read (docs/contract.md analysis_settings); zod-free, defaults written once. */
import { CORRECTIONS, type Correction, DEFAULT_SEQUENTIAL_TUNING, ENGINES, type Engine } from "../stats";

export interface AnalysisSettings {
  engine: Engine;
  confidence_level: number;
  sequential: boolean;
  sequential_tuning: number;
  cuped: boolean;
  correction: Correction;
}

export const DEFAULT_ANALYSIS_SETTINGS: AnalysisSettings = {
  engine: "frequentist",
  confidence_level: 0.95,
  sequential: false,
  sequential_tuning: DEFAULT_SEQUENTIAL_TUNING,
  cuped: false,
  correction: "none",
};

/** Bounds of the numeric settings (the zod schema and the stored-value reader share them). */
export const CONFIDENCE_RANGE = { min: 0.5, max: 0.9999 } as const;
export const TUNING_RANGE = { min: 1, max: 1e9 } as const;

const inRange = (v: unknown, r: { min: number; max: number }): v is number =>
  typeof v === "number" && Number.isFinite(v) && v >= r.min && v <= r.max;
const oneOf = <T extends string>(list: readonly T[], v: unknown): v is T => list.includes(v as T);

/**
 * The stored settings (only the fields a client set, or null) completed with the defaults. A stored
 * value this release does not understand falls back to the default rather than failing the analysis.
 */
export function withDefaults(stored: Record<string, unknown> | null | undefined): AnalysisSettings {
  const s = stored ?? {};
  const d = DEFAULT_ANALYSIS_SETTINGS;
  return {
    engine: oneOf(ENGINES, s.engine) ? s.engine : d.engine,
    confidence_level: inRange(s.confidence_level, CONFIDENCE_RANGE) ? s.confidence_level : d.confidence_level,
    sequential: typeof s.sequential === "boolean" ? s.sequential : d.sequential,
    sequential_tuning: inRange(s.sequential_tuning, TUNING_RANGE) ? s.sequential_tuning : d.sequential_tuning,
    cuped: typeof s.cuped === "boolean" ? s.cuped : d.cuped,
    correction: oneOf(CORRECTIONS, s.correction) ? s.correction : d.correction,
  };
}
