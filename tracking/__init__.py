"""Projections from telemetry: vehicle state, tracks, trips, geofence transitions, ETA."""
