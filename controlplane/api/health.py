"""Liveness and readiness, for load balancers and orchestrators (no authentication)."""
