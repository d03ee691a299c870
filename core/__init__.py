"""The shop's domain: every rule, and the only code that touches the database."""
