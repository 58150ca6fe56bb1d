"""Python SDK for the edge experimentation service (standard library only). See README.md."""
from .client import ExperimentClient, ExperimentClientError, ExposureReporter, PredictionReporter
from .conditions import evaluate_condition
from .evaluation import evaluate_experiment, evaluate_flag
from .hashing import bucket, fnv1a32, in_namespace, in_rollout, namespace_position

__all__ = [
    "ExperimentClient", "ExperimentClientError", "ExposureReporter", "PredictionReporter", "evaluate_condition",
    "evaluate_experiment", "evaluate_flag", "bucket", "fnv1a32", "in_namespace", "in_rollout",
    "namespace_position",
]
