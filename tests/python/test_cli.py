"""The command line: every command documents itself, and user errors are one readable line."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from cdp_runner.cli import main


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from _all_commands(command, prefix + (name,))


def test_top_level_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in main.commands:
        assert name in result.output


@pytest.mark.parametrize("path", [path for path, _ in _all_commands(main)], ids=" ".join)
def test_every_command_has_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output
    command = dict(_all_commands(main))[path]
    assert command.help and len(command.help.strip()) > 20, f"{' '.join(path)} has no real help text"


def test_unknown_command_is_an_error():
    result = CliRunner().invoke(main, ["no-such-command"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_user_error_is_one_line_without_traceback(tmp_path):
    not_a_source = tmp_path / "holiday_photos.csv"
    not_a_source.write_text("a,b\n1,2\n")
    result = CliRunner().invoke(main, ["load", str(not_a_source), "--warehouse", str(tmp_path / "wh.duckdb")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and "holiday_photos.csv" in lines[0]
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_source_option_refuses_a_folder(tmp_path):
    result = CliRunner().invoke(main, ["load", str(tmp_path), "--source", "crm_customers"])
    assert result.exit_code == 1
    assert "--source takes one file" in result.output
