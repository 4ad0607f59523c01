"""Shared test helpers: databases, test channels, free ports, subprocesses."""
