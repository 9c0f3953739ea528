"""Delivery planning: the problem model, OR-Tools and PyVRP backends, feasibility checks."""
