"""Cross-cutting web pieces: health checks, API helpers, request ids."""
