"""Serving models: the ModelService document, resolved against the Platform and the
TrainingJobs whose checkpoints it serves, expanded into a KServe InferenceService (and,
in Standard mode, the KEDA ScaledObject that scales its predictor)."""
