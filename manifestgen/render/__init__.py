"""Turning objects into bytes: canonical YAML and the out/ layout."""
