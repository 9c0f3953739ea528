"""Shared plumbing: settings, database connections, the error tree. Knows no domain."""
