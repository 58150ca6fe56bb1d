// The editing pages, one lazily loaded chunk: the experiment form (its checks, variants editor and
// metric pickers) and the metric page. Reading experiments, their results and the live view never
// needs them, so they stay out of everyone's first load.
export { ExperimentForm } from "./experiments/ExperimentForm";
export { MetricForm } from "./metrics/MetricForm";
