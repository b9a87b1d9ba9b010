"""Which passwords a team server accepts (NIST SP 800-63B-4, section 3.1.1.2).

A Realist password is the only factor that guards a shared server, so it needs at least
15 characters, the minimum SP 800-63B-4 sets for a password used alone (8 is its minimum
only as part of multi-factor sign-in). No composition rules (the guideline forbids them);
instead a password is refused when it is:

- blank, or made of one or a few characters repeated ("aaaaaaaaaaaaaaa", "abcabcabcabc");
- a run of a keyboard row or of the alphabet or digits ("1234567890123456", "qwertyuiop…");
- a common password, or one with only digits or symbols around it ("password123456789"),
  from the list of 20,000 that Django ships (``data/common-passwords.txt.gz``, made by
  Royce Williams from breach corpora; its origin and licence are in
  ``data/common-passwords.LICENSE``), compared without case or spaces;
- mostly made of the words of its context: the reviewer's key and name, the review's
  title, the word "realist".

Existing passwords are never checked again: the rules apply when a password is set.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from realist.errors import InvalidInput

MIN_PASSWORD_CHARS = 15
MAX_PASSWORD_CHARS = 1_000  # Argon2 takes any length; a bound keeps a hostile request cheap
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"
_RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertzuiopasdfghjklyxcvbnm",
)
_AROUND = re.compile(r"^[\W\d_]*(.*?)[\W\d_]*$")
MIN_OWN_CHARS = 8  # what must be left once the context's words are taken out


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lowercased (read once)."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def _folded(password: str) -> str:
    return "".join(password.lower().split())


def _repetitive(folded: str) -> bool:
    if len(set(folded)) < 5:
        return True
    for size in range(1, len(folded) // 2 + 1):
        if len(folded) % size == 0 and folded[:size] * (len(folded) // size) == folded:
            return True
    return False


def _a_run(folded: str) -> bool:
    for run in _RUNS:
        for line in (run * 3, run[::-1] * 3):
            if folded in line:
                return True
    return False


def _common(folded: str) -> bool:
    listed = common_passwords()
    if folded in listed:
        return True
    stem = _AROUND.match(folded)
    core = stem.group(1) if stem else folded
    return len(core) >= 4 and core in listed


def _context_words(context: tuple[str, ...]) -> list[str]:
    words = {"realist"}
    for item in context:
        folded = item.lower()
        words.add("".join(folded.split()))
        words.update(w for w in re.split(r"[\W_]+", folded) if len(w) >= 3)
    return sorted(words - {""}, key=len, reverse=True)


def _mostly_context(folded: str, context: tuple[str, ...]) -> bool:
    whole = re.sub(r"[\W_]+", "", folded)
    rest = whole
    for word in _context_words(context):
        rest = rest.replace(re.sub(r"[\W_]+", "", word), "") if word else rest
    # Only a password that holds a context word is judged by what is left of it (digits
    # added to a name are no secret); one without any is not this rule's business.
    return rest != whole and len(re.sub(r"\d+", "", rest)) < MIN_OWN_CHARS


def check_password(password: str, *context: str) -> None:
    """Refuse (InvalidInput, saying why) a password a team server should not accept;
    ``context`` holds the words an attacker would try first (key, name, review title)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(
            f"a password needs at least {MIN_PASSWORD_CHARS} characters "
            "(a few unrelated words make a good one)"
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput(f"a password has at most {MAX_PASSWORD_CHARS} characters")
    folded = _folded(password)
    if _repetitive(folded) or _a_run(folded):
        raise InvalidInput("that password is a repeated or sequential pattern; choose another")
    if _common(folded):
        raise InvalidInput("that password is on a list of common passwords; choose another")
    if _mostly_context(folded, context):
        raise InvalidInput(
            "that password is mostly your reviewer key, your name or the review's title; "
            "choose another"
        )
