"""cdp: a warehouse-native Customer Data Platform (dbt project + thin Python runner)."""

__version__ = "0.1.0"
