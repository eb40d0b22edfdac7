"""Built-in data about the infrastructure manifestgen targets (instance types)."""
