"""Errors that are the user's to fix: the CLI prints them as one line and exits non-zero."""

import click


class UserError(click.ClickException):
    """A problem with the input or the invocation, never a bug; shown without a traceback."""
