"""The Spark target: the raw zone the loader publishes, and the runner steps between dbt invocations."""
