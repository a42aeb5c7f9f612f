"""Password hashing (argon2id) and the password policy (ASVS: length ≥ 8, no
composition rules, refused if common)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id by default
# A dummy hash so that an unknown e-mail costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-password")

COMMON_PASSWORDS = frozenset("""
123456 123456789 12345678 password qwerty123 qwerty 1q2w3e4r 111111 12345 123123
1234567890 000000 abc123 password1 iloveyou 1234567 qwertyuiop 123321 666666 654321
88888888 11111111 987654321 a123456 woaini1314 woaini520 5201314 1314520 aa123456
passw0rd password123 admin123 admin1234 administrator welcome welcome1 letmein
changeme secret123 zxcvbnm asdfghjkl 11223344 12341234 qazwsxedc 1qaz2wsx
p@ssw0rd p@ssword 147258369 159753 88888888 99999999 00000000 12121212 66666666
""".split())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        _dummy_verify(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _dummy_verify(password: str) -> None:
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError):
        pass


def password_problems(password: str, email: str | None = None) -> list[str]:
    problems = []
    if len(password) < 8:
        problems.append("At least 8 characters.")
    if len(password) > 128:
        problems.append("At most 128 characters.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS:
        problems.append("This password is too common.")
    if email and lowered == email.lower():
        problems.append("Must not be your e-mail address.")
    return problems
