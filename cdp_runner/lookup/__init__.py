"""Look-ups of one customer: which customer an identifier belongs to, and their profile (`cdp profile`)."""
