/** How an experiment's results are read (API.md analysis_settings); zod-free, defaults written once. */
import { type Correction, DEFAULT_SEQUENTIAL_TUNING, type Engine } from "../stats";

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

/** Stored settings (possibly partial, from an older release) completed with the defaults. */
export const withDefaults = (stored: Partial<AnalysisSettings> | null | undefined): AnalysisSettings => ({
  ...DEFAULT_ANALYSIS_SETTINGS,
  ...(stored ?? {}),
});
