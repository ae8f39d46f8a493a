"""Schema changes, each registered by name and applied once (registry.py), by the runner (runner.py)."""
