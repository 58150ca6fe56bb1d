"""Python SDK for the edge experimentation service (standard library only). See README.md."""
from .client import ExperimentClient, ExperimentClientError, ExposureReporter, PredictionReporter
from .conditions import STEP_BUDGET, Budget, budget_shares, evaluate_condition
from .evaluation import evaluate_experiment, evaluate_flag, evaluate_flags
from .hashing import bucket, fnv1a32, in_namespace, in_rollout, namespace_position

__all__ = [
    "ExperimentClient", "ExperimentClientError", "ExposureReporter", "PredictionReporter", "STEP_BUDGET", "Budget",
    "budget_shares", "evaluate_condition", "evaluate_experiment", "evaluate_flag", "evaluate_flags", "bucket",
    "fnv1a32", "in_namespace", "in_rollout", "namespace_position",
]
