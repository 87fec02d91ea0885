"""Messenger adapters and the server that runs them. Only this package talks to platforms."""
