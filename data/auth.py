"""Users, roles, password hashes and the access scope of the current request.

Roles:
  ``province``  reads everything;
  ``city``      the same from the city's side after July 2025 (Thành phố Đà Nẵng): reads everything;
  ``district``  reads one district-level unit and its communes (``unit_code``: the unit's code);
  ``commune``   reads one commune of today's structure (``unit_code``: the commune's code) and,
                for periods before it was formed, the communes it was formed from;
  ``admin``     manages users (CLI) and reads import history; reads the province's data.

Passwords are hashed with ``werkzeug.security`` (scrypt, salted); the clear text
is never stored nor logged. The app reads this table read-only; only the CLI
(``tthc user ...``) writes it.

The access scope lives in a context variable that the web layer sets per request
(:func:`request_scope`); :class:`data.filters.DossierFilter` picks it up when it is
built, so a district user's every filter carries their district whatever the URL
or a callback payload says (deny by default: a signed-out request in a signed-in
deployment gets :data:`DENY_ALL`, a code no unit has).
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import hmac
import re

from sqlalchemy import Boolean, DateTime, Integer, String, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from .cache import cached_reference
from .schema import Base, Unit

ROLES = ("province", "city", "district", "commune", "admin")
WHOLE_AREA_ROLES = ("province", "city", "admin")
MIN_PASSWORD_LENGTH = 10
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
DENY_ALL = "-"  # a scope no unit has: queries return nothing

# The district the current request may see (None: no limit). Set by server.auth.
_scope: contextvars.ContextVar[str | None] = contextvars.ContextVar("tthc_scope", default=None)
# The signed-in user's role (None: sign-in off or nobody signed in). Set by server.auth.
_role: contextvars.ContextVar[str | None] = contextvars.ContextVar("tthc_role", default=None)
# A commune user's units: their commune and the units it was formed from (None: no such limit).
_units: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar("tthc_units", default=None)


class User(Base):
    """A person who signs in. Created by migration 0002."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(12))
    unit_code: Mapped[str | None] = mapped_column(String(10))  # the district-level unit or commune the account reads (migration 0010)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # Bumped by every disable, enable and password reset (migration 0006): part of the session
    # token, so a session from before never works again, not even after a re-enable.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


U = User.__table__


class AuthError(ValueError):
    """A user operation that cannot be done; the message says why (no secrets in it)."""


# ---------------------------------------------------------------- access scope

def active_scope() -> str | None:
    """The district code the current request is limited to, or None."""
    return _scope.get()


@contextlib.contextmanager
def request_scope(district_code: str | None):
    token = _scope.set(district_code)
    try:
        yield
    finally:
        _scope.reset(token)


def active_units() -> tuple[str, ...] | None:
    """A commune user's units (their commune and its predecessors), or None."""
    return _units.get()


def set_scope(district_code: str | None, role: str | None = None, units: tuple[str, ...] | None = None):
    """Set the scope (and role, and a commune user's units) for the rest of this context; returns
    the token for :func:`reset_scope`."""
    return _scope.set(district_code), _role.set(role), _units.set(units)


def reset_scope(token) -> None:
    scope_token, role_token, units_token = token
    _units.reset(units_token)
    _role.reset(role_token)
    _scope.reset(scope_token)


def access_key() -> str:
    """Everything about the current request that changes what a page may show (scope and
    role): part of the key of any cache of rendered output. The admin and province roles
    see the same data but not the same pages (import history), so the role is in it."""
    return f"{_scope.get()!r}|{_role.get()!r}|{_units.get()!r}"


def scope_for(user: dict | None) -> str | None:
    """The district a user's queries are limited to: deny by default."""
    if not user or not user.get("active"):
        return DENY_ALL
    if user["role"] in WHOLE_AREA_ROLES:
        return None
    if user["role"] == "district" and user.get("unit_code"):
        return user["unit_code"]
    return DENY_ALL


@cached_reference
def commune_scope(engine: Engine, code: str | None) -> tuple[str, tuple[str, ...]]:
    """A commune account's scope: (the former district-level unit its commune was formed from,
    the commune's unit code and those of every unit it was formed from, through
    ``unit_successors``). The district keeps the district filters and lists on that area; the
    units keep every query on the commune and, before it was formed, its predecessors. Deny by
    default: an unknown code or one that is not a commune gives ``DENY_ALL`` and no unit."""
    from .schema import Agency, UnitSuccessor

    if not code:
        return DENY_ALL, (DENY_ALL,)
    A, L = Agency.__table__, UnitSuccessor.__table__
    with engine.connect() as conn:
        unit = conn.execute(select(Unit.level, Unit.parent_code).where(Unit.code == code)).first()
        if unit is None or unit.level != "commune":
            return DENY_ALL, (DENY_ALL,)
        # After July 2025 the commune's People's Committee carries its former district (data.unit_versions).
        district = conn.execute(select(A.c.district_code).where(A.c.unit_code == code, A.c.level == "commune",
                                                                A.c.district_code.isnot(None))).scalar()
        links = conn.execute(select(L.c.from_code, L.c.to_code)).all()
    back: dict[str, list[str]] = {}
    for a, b in links:
        back.setdefault(b, []).append(a)
    units, todo = {code}, [code]
    while todo:
        for old in back.get(todo.pop(), ()):
            if old not in units:
                units.add(old)
                todo.append(old)
    return (district or unit.parent_code or DENY_ALL), tuple(sorted(units))



@cached_reference
def scope_unit_name(engine: Engine, units: tuple[str, ...]) -> str | None:
    """The short name of the unit in force today among a commune user's ``units`` (their commune)."""
    with engine.connect() as conn:
        return conn.execute(select(Unit.short_name).where(Unit.code.in_(units), Unit.valid_to.is_(None))
                            .order_by(Unit.code)).scalar()


# ---------------------------------------------------------------- passwords

def hash_password(password: str) -> str:
    check_password_policy(password)
    return generate_password_hash(password)  # scrypt with a random salt


def check_password_policy(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"password too short: at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 256:
        raise AuthError("password too long: at most 256 characters")


_DUMMY_HASH = generate_password_hash("not-a-real-password-just-equal-timing")


def verify(engine: Engine, username: str, password: str) -> dict | None:
    """The user row when the password is right and the user active; None otherwise.

    An unknown user costs the same hashing time as a wrong password, so timing
    does not reveal which usernames exist."""
    user = get_user(engine, username=(username or "").strip().lower()[:40])
    if user is None or not user["active"]:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user["password_hash"], password or ""):
        return None
    return user


def session_token(user: dict) -> str:
    """Changes when the password is reset, the user disabled or enabled, the role or district
    changed: old sessions stop working (for good: the generation only grows)."""
    raw = (f"{user['password_hash']}|{user['active']}|{user['role']}|{user.get('unit_code')}"
           f"|{user.get('session_generation') or 0}")
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def token_matches(user: dict, token: str) -> bool:
    return hmac.compare_digest(session_token(user), token or "")


# ---------------------------------------------------------------- users table

def _row(r) -> dict:
    return dict(r._mapping)


def get_user(engine: Engine | Connection, username: str | None = None, user_id: int | None = None) -> dict | None:
    q = select(U)
    if user_id is not None:
        q = q.where(U.c.id == user_id)
    else:
        q = q.where(U.c.username == username)
    if isinstance(engine, Connection):
        r = engine.execute(q).first()
    else:
        with engine.connect() as conn:
            r = conn.execute(q).first()
    return _row(r) if r else None


def list_users(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(U.c.id, U.c.username, U.c.display_name, U.c.role, U.c.unit_code, U.c.active,
                                   U.c.created_at, U.c.password_changed_at).order_by(U.c.username)).all()
    return [_row(r) for r in rows]


def _check_unit(engine: Engine, role: str, unit_code: str | None) -> str | None:
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if role not in ("district", "commune"):
        if unit_code:
            raise AuthError(f"role {role} has no district or commune: leave --district and --commune out")
        return None
    if not unit_code:
        if role == "commune":
            raise AuthError("a commune user needs --commune CODE (the code of a commune in force today, e.g. 20641)")
        raise AuthError("a district user needs --district CODE (the official code, e.g. 509 for Quế Sơn)")
    code = str(unit_code).strip()
    with engine.connect() as conn:
        if role == "commune":
            # A commune of today's structure: an official code names its version in force (codes are reused).
            row = conn.execute(select(Unit.code, Unit.level).where(
                (Unit.code == code) | (Unit.official_code == code), Unit.valid_to.is_(None),
                Unit.level == "commune")).first()
            if row is None:
                raise AuthError(f"no commune with code {code!r} in force today in the database")
            return row.code
        level = conn.execute(select(Unit.level).where(Unit.code == code)).scalar()
    if level != "district":
        raise AuthError(f"no district-level unit with code {code!r} in the database")
    return code


def add_user(engine: Engine, username: str, password: str, role: str, unit_code: str | None = None,
             display_name: str | None = None) -> dict:
    username = (username or "").strip().lower()
    if not USERNAME_RE.match(username):
        raise AuthError("username: 2-40 characters, lower-case letters, digits, '.', '_' or '-'")
    unit_code = _check_unit(engine, role, unit_code)
    pw_hash = hash_password(password)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        exists = conn.execute(select(func.count()).select_from(U).where(U.c.username == username)).scalar()
        if exists:
            raise AuthError(f"user {username!r} exists already")
        conn.execute(U.insert().values(username=username, display_name=display_name, password_hash=pw_hash, role=role,
                                       unit_code=unit_code, active=True, created_at=now, password_changed_at=now))
    return get_user(engine, username=username)


def set_active(engine: Engine, username: str, active: bool) -> None:
    with engine.begin() as conn:
        n = conn.execute(update(U).where(U.c.username == username.strip().lower())
                         .values(active=active, session_generation=U.c.session_generation + 1)).rowcount
    if not n:
        raise AuthError(f"no user {username!r}")


def reset_password(engine: Engine, username: str, password: str) -> None:
    pw_hash = hash_password(password)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        n = conn.execute(update(U).where(U.c.username == username.strip().lower())
                         .values(password_hash=pw_hash, password_changed_at=now,
                                 session_generation=U.c.session_generation + 1)).rowcount
    if not n:
        raise AuthError(f"no user {username!r}")
