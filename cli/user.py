"""``tthc user add|list|disable|enable|reset-password``: accounts for the sign-in.

Passwords are read from a hidden prompt (asked twice) or, for scripts, from the
first line of standard input with ``--password-stdin``; never from an argument
(arguments end up in shell history and ``ps``), never echoed, never logged.
"""
from __future__ import annotations

import sys

import click
from sqlalchemy.exc import SQLAlchemyError

from data.auth import ROLES, AuthError, add_user, list_users, reset_password, set_active
from data.config import database_url
from data.db import make_engine

from .errors import CliError


def _engine():
    return make_engine(database_url())  # the CLI writes: not the app's read-only engine


def _fail(msg: str):
    raise CliError(msg)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _run(fn):
    try:
        return fn()
    except AuthError as exc:
        _fail(str(exc))
    except SQLAlchemyError as exc:
        first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0][:200]
        if "users" in first and ("no such table" in first or "does not exist" in first):
            _fail("the database has no users table: run `tthc db upgrade`")
        _fail(f"database error: {first}")


@click.group("user")
def user_group() -> None:
    """Sign-in accounts: roles province, city, district (with --district CODE), commune (with --commune CODE), admin."""


@user_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--district", "district_code", default=None, help="Official code of the district-level unit (district role).")
@click.option("--commune", "commune_code", default=None,
              help="Code of a commune in force today (commune role; from July 2025 the two-tier structure's communes).")
@click.option("--name", "display_name", default=None, help="Full name shown in the app.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def add(username, role, district_code, commune_code, display_name, password_stdin):
    """Create an account."""
    if commune_code and role != "commune":
        _fail("--commune is for the commune role")
    if role == "commune":
        if district_code:
            _fail("a commune user is given --commune CODE, not --district")
        district_code = commune_code  # the account's unit (users.unit_code): its commune
    password = _read_password(password_stdin)
    user = _run(lambda: add_user(_engine(), username, password, role, district_code, display_name))
    where = f" ({user['unit_code']})" if user["unit_code"] else ""
    click.echo(f"User {user['username']} added: role {user['role']}{where}.")


@user_group.command("list")
def list_cmd():
    """List accounts (never the password hashes)."""
    users = _run(lambda: list_users(_engine()))
    if not users:
        click.echo("No users yet: `tthc user add NAME --role province`.")
        return
    click.echo(f"{'username':<20}{'role':<10}{'unit':<12}{'active':<8}name")
    for u in users:
        click.echo(f"{u['username']:<20}{u['role']:<10}{u['unit_code'] or '—':<12}{'yes' if u['active'] else 'no':<8}"
                   f"{u['display_name'] or ''}")


@user_group.command("disable")
@click.argument("username")
def disable(username):
    """Stop an account from signing in; its open sessions end at their next request."""
    _run(lambda: set_active(_engine(), username, False))
    click.echo(f"User {username} disabled.")


@user_group.command("enable")
@click.argument("username")
def enable(username):
    """Let a disabled account sign in again."""
    _run(lambda: set_active(_engine(), username, True))
    click.echo(f"User {username} enabled.")


@user_group.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from the first line of standard input.")
def reset_password_cmd(username, password_stdin):
    """Set a new password; the user's open sessions end."""
    password = _read_password(password_stdin)
    _run(lambda: reset_password(_engine(), username, password))
    click.echo(f"Password of {username} reset.")
