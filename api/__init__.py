"""The HTTP API: FastAPI routers per domain, auth, error mapping, OpenAPI."""
