"""Business logic for connectors: writes (services) split by concern."""
