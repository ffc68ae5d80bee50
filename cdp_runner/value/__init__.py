"""Lifetime value: the BG/NBD and Gamma-Gamma fits (ltv.py, numpy/scipy only) and their warehouse I/O (ltv_io.py),
which the dbt Python models int_ltv_model_fit and int_customer_ltv_predictions import (docs/lifetime-value.md)."""
