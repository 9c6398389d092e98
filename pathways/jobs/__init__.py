"""The scheduler's one job table and its runner."""
