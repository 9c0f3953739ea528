"""People, the mall's API keys, sessions, the audit log and rate limits: who may call the API."""
