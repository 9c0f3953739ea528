"""The demo market and load generator: simulated devices that speak real MQTT."""
