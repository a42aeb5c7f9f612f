"""Password hashing (argon2id) and the password policy (ASVS: length ≥ 8, no
composition rules, refused if common)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id by default
_dummy: list[str] = []   # a hash made on first need, not at start-up (an argon2 hash costs ~50 ms)

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


def _dummy_hash() -> str:
    """A dummy hash so that an unknown e-mail costs the same time as a wrong password."""
    if not _dummy:
        _dummy.append(_hasher.hash("timing-equaliser-not-a-password"))
    return _dummy[0]


def _dummy_verify(password: str) -> None:
    try:
        _hasher.verify(_dummy_hash(), password)
    except (VerifyMismatchError, VerificationError):
        pass


# the README's public demo password: accepted for the demo's own users only (security review L7)
DEMO_PASSWORD = "demo-portal-2026"
MIN_STRENGTH = 3   # zxcvbn's score: 3 = "safely unguessable" (about 10^8 guesses and more)


def password_problems(password: str, email: str | None = None, *, name: str | None = None,
                      allow_demo: bool = False) -> list[str]:
    """What is wrong with a new password. Besides length, it must not be guessable: zxcvbn's
    packaged lists (about 30,000 of the passwords most found in breaches, names, words, keyboard
    patterns, dates, repeats, l33t forms) judged with the person's e-mail and name, offline."""
    problems = []
    if len(password) < 8:
        problems.append("At least 8 characters.")
    if len(password) > 128:
        problems.append("At most 128 characters.")
    lowered = password.lower()
    if email and lowered == email.lower():
        problems.append("Must not be your e-mail address.")
    elif lowered == DEMO_PASSWORD and not allow_demo:
        problems.append("This is the demo's public password: choose your own.")
    elif lowered in COMMON_PASSWORDS or (8 <= len(password) <= 128 and not allow_demo
                                         and _strength(password, email, name) < MIN_STRENGTH):
        problems.append("This password is too common or too easy to guess.")
    return problems


def _strength(password: str, email: str | None, name: str | None) -> int:
    from zxcvbn import zxcvbn   # imported when a password is set, not at start-up

    hints = [h for h in (email, (email or "").split("@")[0], name) if h]
    return int(zxcvbn(password, user_inputs=hints)["score"])
