"""Links that sell: the payload of a ``t.me/<bot>?start=...`` link (a product to open, a
campaign to credit), the campaign kept on the customer, and copied onto their orders."""
