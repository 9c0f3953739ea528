"""Device registry: GPS units, phones and RFID readers, their wire formats and credentials."""
