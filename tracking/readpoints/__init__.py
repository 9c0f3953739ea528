"""Read points: turning the raw, noisy tag reads of one RFID read point (a dock door, a
packing station) into observations a business event can be built from.

Pure and deterministic: reads carry their own time; nothing here reads a clock.
"""
