"""What every capability stands on: base models, commands and errors, ids, fields, display
text, money, the clock, retry backoff, leases and journals."""
