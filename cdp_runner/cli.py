"""The `cdp` command: thin click commands over the modules that do the work.

Each command imports what it runs inside its body, on purpose: `cdp --help` and every command start without
loading DuckDB, numpy, pyarrow and the generator that the other commands need.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from . import __version__
from .errors import UserError, environment_problem

WAREHOUSE_HELP = "DuckDB warehouse file (default: $CDP_WAREHOUSE or warehouse/cdp.duckdb in the project)."


def _warehouse_option(function):
    return click.option("--warehouse", type=click.Path(dir_okay=False), default=None, help=WAREHOUSE_HELP)(function)


def _destinations_option(function):
    return click.option(
        "--destinations",
        "destinations_file",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="Destinations file (default: activation/destinations.yml).",
    )(function)


class _Commands(click.Group):
    """The command group; a file-system or DuckDB failure that no command turned into a message of its own (a disk
    that fills up, a folder that cannot be written) is still one `Error:` line, exit status 1 ($CDP_DEBUG=1 shows
    the traceback instead)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as error:
            message = environment_problem(error)
            if message is None or os.environ.get("CDP_DEBUG"):
                raise
            raise UserError(message) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cdp")
@click.option(
    "--target",
    default=None,
    metavar="NAME",
    help="dbt target of profiles.yml: duckdb (default) or spark (docs/spark.md); default $CDP_TARGET.",
)
def main(target: str | None) -> None:
    """cdp: a warehouse-native Customer Data Platform on dbt and DuckDB (or Spark).

    Typical flow: generate (or bring your own files) -> load -> build.
    """
    if target:
        from .config import target_type

        # dbt reads the target from CDP_TARGET (profiles.yml), in this process and in the ones it starts; set for
        # this command only, so that a caller running cdp in-process (a test, a notebook) keeps its own
        previous = os.environ.get("CDP_TARGET")
        os.environ["CDP_TARGET"] = target
        click.get_current_context().call_on_close(lambda: _restore_target(previous))
        target_type(target)  # an unknown target stops here, with the list of known ones


def _restore_target(previous: str | None) -> None:
    if previous is None:
        os.environ.pop("CDP_TARGET", None)
    else:
        os.environ["CDP_TARGET"] = previous


@main.command()
@click.option(
    "--customers", type=click.IntRange(1, 5_000_000), default=5000, show_default=True, help="People to simulate."
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=42,
    show_default=True,
    help="Random seed; the same seed writes the same files.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    required=True,
    help="Folder for the source files (ground truth goes to its _truth/ subfolder).",
)
@click.option(
    "--end-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default="2026-06-30",
    show_default=True,
    help="Last day of simulated activity.",
)
@click.option(
    "--continue-from",
    "previous",
    type=click.Path(),
    default=None,
    help="A folder 'cdp generate' wrote: write only the days after its end date, for the same people and new ones "
    "(keys never collide with its records; the ground truth in --out covers both).",
)
@click.option(
    "--days",
    type=int,
    default=None,
    help="With --continue-from: how many days to write.  [default: 1]",
)
def generate(customers: int, seed: int, out_dir: str, end_date, previous: str | None, days: int | None) -> None:
    """Write realistic, messy multi-source sample data with its ground truth, or the next days of earlier data.

    \b
    cdp generate --customers 300 --seed 7 --out day0/
    cdp generate --continue-from day0/ --days 1 --out day1/
    """
    from .console.ingest import print_generate_summary
    from .console.progress import generation_progress
    from .generator.generate import generate as run_generate

    given = click.get_current_context().get_parameter_source
    if previous is None and days is not None:
        raise UserError("--days goes with --continue-from: the days after which folder?")
    if previous is not None and given("end_date") != click.core.ParameterSource.DEFAULT:
        raise UserError("--end-date comes from the folder continued (the days start after its end date): leave it out")
    with generation_progress() as on_block:
        if previous is None:
            summary = run_generate(customers, seed, Path(out_dir), end_date=end_date.date(), on_block=on_block)
        else:
            from .generator.days import continue_world

            summary = continue_world(
                Path(previous),
                1 if days is None else days,
                Path(out_dir),
                on_block=on_block,
                customers=customers if given("customers") != click.core.ParameterSource.DEFAULT else None,
                seed=seed if given("seed") != click.core.ParameterSource.DEFAULT else None,
            )
    print_generate_summary(summary, Path(out_dir))


@main.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--source", "source_name", default=None, help="Load PATH (one file) as this source, whatever its name.")
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="YAML file renaming your export's columns to the contract's.",
)
@_warehouse_option
def load(path: str, source_name: str | None, mapping_file: str | None, warehouse: str | None) -> None:
    """Load source files (a folder, or one file) into the warehouse's raw tables."""
    if source_name and Path(path).is_dir():
        raise UserError("--source takes one file, not a folder")
    from .console.ingest import print_load_results, print_suppressed_rows, print_value_summary
    from .console.progress import load_progress
    from .ingest.loader import load_path

    with load_progress() as on_progress:
        results = load_path(
            Path(path), warehouse=warehouse, source=source_name, mapping_file=mapping_file, on_progress=on_progress
        )
    print_load_results(results)
    print_value_summary(results)
    print_suppressed_rows(results)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@_warehouse_option
@click.option(
    "--unit-tests",
    is_flag=True,
    help="Run dbt's unit tests too (they check the SQL on fixed rows: after changing a model, and in CI).",
)
@click.argument("dbt_args", nargs=-1, type=click.UNPROCESSED)
def build(warehouse: str | None, unit_tests: bool, dbt_args: tuple[str, ...]) -> None:
    """Run `dbt build`: models, seeds, snapshots and every data test; extra arguments go to dbt, e.g. --select
    staging."""
    from .pipeline import build_warehouse

    build_warehouse(warehouse=warehouse, dbt_args=list(dbt_args), unit_tests=unit_tests)


@main.command()
@click.option(
    "--customers", type=click.IntRange(1, 5_000_000), default=5000, show_default=True, help="People to simulate."
)
@click.option("--seed", type=click.IntRange(min=0), default=42, show_default=True, help="Random seed.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where the sample files go (default: demo_data/ in the project).",
)
@_warehouse_option
def demo(customers: int, seed: int, data_dir: str | None, warehouse: str | None) -> None:
    """Generate sample data, load it, build everything and report what happened."""
    from .config import require_duckdb_marts

    require_duckdb_marts("demo")
    from .pipeline import run_demo

    run_demo(customers=customers, seed=seed, data_dir=data_dir, warehouse=warehouse)


@main.command()
@click.option(
    "--truth",
    type=click.Path(exists=True),
    required=True,
    help="Ground-truth Parquet file, or the folder 'cdp generate' wrote.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@_warehouse_option
def evaluate(truth: str, as_json: bool, warehouse: str | None) -> None:
    """Score identity resolution against the generator's ground truth (pairwise precision, recall, F1)."""
    from .config import require_duckdb_marts

    require_duckdb_marts("evaluate")
    from .console.evaluation import print_identity_quality
    from .evaluation.identity import evaluate_identity

    print_identity_quality(evaluate_identity(Path(truth), warehouse=warehouse), as_json=as_json)


@main.command()
@click.argument("identifier")
@click.option("--json", "as_json", is_flag=True, help="Print the profile as one JSON document.")
@_warehouse_option
def profile(identifier: str, as_json: bool, warehouse: str | None) -> None:
    """Show the single customer view for an e-mail, phone, loyalty card, user id, anonymous id or customer id."""
    from .config import require_duckdb_marts

    require_duckdb_marts("profile")
    from .console.profile import print_profile, print_profile_error_json, print_profile_json
    from .lookup.profile import customer_profile

    if not as_json:
        print_profile(customer_profile(identifier, warehouse=warehouse))
        return
    try:
        document = customer_profile(identifier, warehouse=warehouse)
    except UserError as error:
        print_profile_error_json(error.message, identifier)
        raise SystemExit(1) from None
    print_profile_json(document)


@main.command()
@click.argument("identifier")
@click.option("--yes", is_flag=True, help="Erase without asking for confirmation (for scripts).")
@click.option("--no-build", is_flag=True, help="Skip the rebuild (run 'cdp build' later, e.g. after several erasures).")
@_warehouse_option
def forget(identifier: str, yes: bool, no_build: bool, warehouse: str | None) -> None:
    """Erase everything about the person an identifier belongs to, and keep their rows out of later loads."""
    from .config import require_duckdb_marts

    require_duckdb_marts("forget")
    from .console.privacy import confirm_erasure, print_erasure
    from .pipeline import forget_person
    from .privacy.erasure import describe

    if not yes:
        confirm_erasure(describe(identifier, warehouse=warehouse))
    print_erasure(forget_person(identifier, warehouse=warehouse, rebuild=not no_build))


@main.command()
@_warehouse_option
def docs(warehouse: str | None) -> None:
    """Build the dbt docs site (models, columns, tests, lineage) as one static HTML page."""
    from .pipeline import build_docs

    build_docs(warehouse=warehouse)


@main.command("export")
@click.argument("segment")
@click.option("--to", "destination", required=True, help="Destination declared in activation/destinations.yml.")
@click.option(
    "--mode",
    type=click.Choice(["full", "diff"]),
    default="full",
    show_default=True,
    help="full: every consenting member; diff: additions and removals since the last export to the destination.",
)
@_destinations_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write here instead of the destination's folder.",
)
@_warehouse_option
def export(
    segment: str, destination: str, mode: str, destinations_file: str | None, out_dir: str | None, warehouse: str | None
) -> None:
    """Export a segment to a destination, with consent and the destination's personal-data policy enforced."""
    from .config import require_duckdb_marts

    require_duckdb_marts("export")
    from .activation.segment_export import export_segment
    from .console.activation import print_export
    from .console.build import status

    with status(f"exporting {segment} to {destination}"):
        result = export_segment(
            segment,
            destination,
            mode=mode,
            warehouse=warehouse,
            destinations_file=Path(destinations_file) if destinations_file else None,
            out_dir=Path(out_dir) if out_dir else None,
        )
    print_export(result)


@main.command("export-marts")
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False))
@_warehouse_option
def export_marts(out_dir: str, warehouse: str | None) -> None:
    """Write every public mart as Parquet into DIR (atomically, with a manifest) for BI tools."""
    from .activation.marts_export import export_marts as run_export_marts
    from .console.activation import print_marts
    from .console.progress import dbt_progress

    with dbt_progress("export-marts") as on_progress:
        result = run_export_marts(Path(out_dir), warehouse=warehouse, on_progress=on_progress)
    print_marts(result)


@main.command()
@_destinations_option
@_warehouse_option
def segments(destinations_file: str | None, warehouse: str | None) -> None:
    """List the segments: owner, members, and how many members each destination would receive after consent."""
    from .activation.destinations import load_destinations
    from .activation.reach import read_reach
    from .config import require_duckdb_marts
    from .console.activation import print_segments

    require_duckdb_marts("segments")
    path = Path(destinations_file) if destinations_file else None
    print_segments(read_reach(warehouse=warehouse, destinations_file=path), load_destinations(path))


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but a loopback address needs --tokens.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--tokens",
    "tokens_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Tokens file giving roles to access tokens (docs/serve.md); without it, no sign-in, loopback only.",
)
@click.option(
    "--refresh-seconds",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="How often to check the warehouse for a new build (0: never; the copy taken at start stays).",
)
@_warehouse_option
def serve(host: str, port: int, tokens_file: str | None, refresh_seconds: float, warehouse: str | None) -> None:
    """Start the web app (customer look-up, audiences, dashboard, JSON API) over the warehouse, read-only."""
    from .config import require_duckdb_marts, warehouse_path

    require_duckdb_marts("serve")
    from .console.serve import print_serving
    from .serve.server import serve as run_server

    run_server(
        warehouse_path(warehouse),
        host=host,
        port=port,
        tokens_file=Path(tokens_file) if tokens_file else None,
        refresh_seconds=refresh_seconds,
        on_ready=print_serving,
    )


if __name__ == "__main__":  # pragma: no cover
    main()
