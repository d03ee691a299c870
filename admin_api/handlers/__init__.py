"""Request handlers by feature: each parses, calls one core service and serialises."""
