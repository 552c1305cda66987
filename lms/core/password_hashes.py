"""Stored passwords: argon2id with one of OWASP's parameter sets (m=12 MiB, t=3, p=1), about a fifth of the CPU of
the scrypt hashes it replaces (werkzeug's N=2^15, r=8, p=1, itself below OWASP's scrypt minimum), so that a whole
governorate signing in for an exam fits the machine. Hashes made before still verify, and a chosen password's is
replaced by an argon2id one at its next sign-in. One-time passwords (random, expiring in days) keep their cheaper
scrypt hash: a roster of thousands hashes them at once."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

_HASHER = PasswordHasher(time_cost=3, memory_cost=12 * 1024, parallelism=1)
_ARGON2 = "$argon2"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash, argon2id or an older werkzeug one ("scrypt:...", "pbkdf2:...")."""
    if not stored:
        return False
    if stored.startswith(_ARGON2):
        try:
            return _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    return check_password_hash(stored, password)


def needs_rehash(stored: str) -> bool:
    """A hash made before (scrypt), or with other argon2 parameters than today's."""
    return not stored.startswith(_ARGON2) or _HASHER.check_needs_rehash(stored)
