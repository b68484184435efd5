"""Named users, their roles, passwords and personal API tokens.

A role says what a user may do, each including the one before:

- ``viewer`` reads runs, results and their files;
- ``planner`` also uploads workbooks, starts, re-runs and cancels runs;
- ``admin`` also deletes runs, manages users and reads the audit log.

Passwords are kept as Argon2id hashes (argon2-cffi, the reference binding);
API tokens and session ids are long random strings, kept only as their
SHA-256, so a copy of the database gives no one a way in. Accounts are
managed with ``planner users`` (this module's functions) and, by admins,
from the API.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from planner.serve.storage import Storage, User

VIEWER, PLANNER, ADMIN = "viewer", "planner", "admin"
ROLES = (VIEWER, PLANNER, ADMIN)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10
TOKEN_PREFIX = "pln_"  # tells a personal token from a password in a log or a file
_hasher = PasswordHasher()


class AccountError(Exception):
    """A user cannot be added or changed; the message says why."""


def may(role: str, needed: str) -> bool:
    """Whether ``role`` includes the rights of ``needed``."""
    return ROLES.index(role) >= ROLES.index(needed)


def digest(secret: str) -> str:
    """How a token or a session id is kept: its SHA-256 (they are random and
    long, so a fast hash is enough; passwords get Argon2)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _checked(name: str, role: str | None = None, password: str | None = None) -> None:
    if not NAME_PATTERN.match(name):
        raise AccountError(
            f'"{name}" is not a user name: use 1 to 64 letters, digits, '
            "dots, dashes, underscores or @, starting with a letter or digit."
        )
    if role is not None and role not in ROLES:
        raise AccountError(f'"{role}" is not a role: use {", ".join(ROLES)}.')
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(
            f"The password is too short: use at least {MIN_PASSWORD} characters."
        )


def add_user(storage: Storage, name: str, role: str, password: str) -> User:
    _checked(name, role, password)
    if not storage.add_user(name, role, _hasher.hash(password)):
        raise AccountError(f'There is already a user "{name}".')
    user = storage.user(name)
    assert user is not None
    return user


def remove_user(storage: Storage, name: str) -> None:
    if not storage.remove_user(name):
        raise AccountError(f'There is no user "{name}".')


def set_password(storage: Storage, name: str, password: str) -> None:
    _checked(name, password=password)
    if not storage.set_password(name, _hasher.hash(password)):
        raise AccountError(f'There is no user "{name}".')


def new_token(storage: Storage, name: str) -> str:
    """A new personal API token for ``name``; the one before stops working."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    if not storage.set_token(name, digest(token)):
        raise AccountError(f'There is no user "{name}".')
    return token


def signed_in(storage: Storage, name: str, password: str) -> User | None:
    """The user whose password this is, or None (also for an unknown name,
    after the same work, so a wrong name takes as long as a wrong password)."""
    known = storage.password_hash(name)
    try:
        _hasher.verify(known or _UNKNOWN, password)
    except (VerificationError, InvalidHashError):
        return None
    return storage.user(name) if known is not None else None


_UNKNOWN = _hasher.hash(secrets.token_hex(16))
