"""Geometry helpers, geofences, coordinate systems, distance and travel-time matrices."""
