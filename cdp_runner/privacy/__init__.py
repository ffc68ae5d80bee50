"""Personal data: identifier normalisation (mirrors of the SQL macros), erasure (`cdp forget`) and the suppression of
erased people that the loader applies to every insert."""
