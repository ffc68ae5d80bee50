"""Getting data out to where it is used: export destinations, segments, consent-aware segment exports and the public
marts as Parquet for BI tools."""
