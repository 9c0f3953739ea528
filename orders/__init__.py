"""Mall orders, shipments, packages and their EPC labels, the status machine, webhooks."""
