"""Benchmarks and simulations, kept out of the shipped package (cdp_runner): `python -m bench` runs the platform's
figures at scale (scale.py), `python -m bench.ltv_fits` the lifetime-value fits; components.py,
components_spark.py and usingkey_baseline.py are scripts of the clustering benchmark (docs/identity-clustering.md)."""
