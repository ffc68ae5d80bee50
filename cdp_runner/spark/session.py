"""A Spark session in the runner's own process, configured as dbt's (profiles.yml), for the commands that read the
Spark warehouse outside dbt (cdp export-marts). One process at a time may use a warehouse's Spark state: the runner
opens it only when no dbt process runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import yaml

from ..config import PROJECT_DIR, dbt_environment, target_name
from ..errors import UserError


def profile_output(warehouse: Path, target: str | None = None) -> dict[str, Any]:
    """The target's output of profiles.yml, rendered with the environment dbt gets for `warehouse`."""
    environment = dbt_environment(warehouse)

    def env_var(name: str, default: str | None = None) -> str:
        if name in environment:
            return environment[name]
        if default is None:
            raise UserError(f"profiles.yml needs the environment variable {name}")
        return default

    jinja = jinja2.Environment(undefined=jinja2.StrictUndefined)
    jinja.filters["as_number"] = lambda value: value
    rendered = jinja.from_string((PROJECT_DIR / "profiles.yml").read_text()).render(env_var=env_var)
    outputs = yaml.safe_load(rendered)["cdp"]["outputs"]
    return outputs[target or target_name()]


def spark_session(warehouse: Path) -> Any:
    """The SparkSession of the target's session output (method: session) for `warehouse`."""
    from pyspark.sql import SparkSession

    output = profile_output(warehouse)
    if output.get("method") != "session":
        raise UserError(f"target {target_name()} is not a Spark session target (method: session)")
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in (output.get("server_side_parameters") or {}).items():
        builder = builder.config(str(key), str(value))
    return builder.getOrCreate()
