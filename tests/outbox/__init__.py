"""The outbox: store, send job, receipts, CLI, health and metrics."""
