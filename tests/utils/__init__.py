"""Helpers shared by the test suite (importable as `utils` because tests/ has no __init__.py)."""
