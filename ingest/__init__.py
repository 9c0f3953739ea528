"""Telemetry ingest: MQTT consumer, wire formats, validation, dead letters, batched writes."""
