"""Erasure of a person (`cdp forget`) and the suppression of erased people that the loader applies to every insert."""
