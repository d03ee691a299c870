"""The HTTP API: the seed's shop endpoints plus admin and operator endpoints, over ``core``."""
