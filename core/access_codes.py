"""Pairing and invitation codes that cannot be guessed, and a limit on wrong guesses per sender."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

# 32 symbols without the look-alikes 0/O and 1/I: 12 symbols carry 60 bits, read aloud or typed on a phone.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
TRACKED = 4096
"""Senders remembered at most before stale entries are dropped (a flood of new senders stays bounded)."""
GROUPS = 3
GROUP_SIZE = 4
CODE_BITS = GROUPS * GROUP_SIZE * 5
_CODE_LIKE = re.compile(r"^[A-Za-z0-9]{4}(?:[-\s]?[A-Za-z0-9]{4}){2}$")


def new_code() -> str:
    """A fresh random code such as `7KQ4-M2XD-9HTA` (60 bits from the system's CSPRNG)."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    return "-".join(symbols[i : i + GROUP_SIZE] for i in range(0, len(symbols), GROUP_SIZE))


def normalise(code: str) -> str:
    """What the user typed, compared as the code it means: case, spaces and dashes ignored."""
    return re.sub(r"[\s-]", "", code).upper()


def code_hash(code: str) -> str:
    """The stored form of a code: its SHA-256 (a database copy gives no usable code away)."""
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def looks_like_code(text: str) -> bool:
    """Whether a plain message is a code pasted alone (`7KQ4-M2XD-9HTA`, any case, with or without dashes)."""
    return bool(_CODE_LIKE.match(text.strip()))


@dataclass(frozen=True)
class GuessRules:
    """How many wrong codes a sender may send within `window` seconds before being ignored for `lockout`."""

    attempts: int = 5
    window: float = 15 * 60
    lockout: float = 60 * 60
    alert_every: float = 60 * 60
    """The owner is told at most once per sender, and at most once in this many seconds overall."""


@dataclass
class GuessLimiter:
    """Counts wrong codes per sender; a sender over the limit is ignored for a while."""

    rules: GuessRules = field(default_factory=GuessRules)
    clock: Callable[[], float] = field(default=lambda: 0.0)
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)
    _alerted: set[str] = field(default_factory=set)
    _last_alert: float = float("-inf")

    def is_locked(self, sender: str) -> bool:
        """Whether `sender` is being ignored right now."""
        until = self._locked_until.get(sender)
        if until is None:
            return False
        if self.clock() >= until:
            del self._locked_until[sender]
            return False
        return True

    def failed(self, sender: str) -> bool:
        """Record a wrong code from `sender`; True when this locks them out (the owner may be told)."""
        now = self.clock()
        if len(self._failures) + len(self._locked_until) > TRACKED:
            self._forget_stale(now)
        recent = [t for t in self._failures.get(sender, []) if now - t < self.rules.window]
        recent.append(now)
        self._failures[sender] = recent
        if len(recent) < self.rules.attempts:
            return False
        self._failures.pop(sender, None)
        self._locked_until[sender] = now + self.rules.lockout
        return True

    def _forget_stale(self, now: float) -> None:
        """Drop mistakes older than the window and lockouts that ended; past that, the oldest mistakes."""
        fresh = [(ts[-1], s) for s, ts in self._failures.items() if ts and now - ts[-1] < self.rules.window]
        kept = {s for _, s in sorted(fresh)[-TRACKED // 2 :]}
        self._failures = {s: ts for s, ts in self._failures.items() if s in kept}
        self._locked_until = {s: until for s, until in self._locked_until.items() if until > now}

    def should_alert(self, sender: str) -> bool:
        """Whether to tell the owner about `sender` now (once per sender, rarely overall)."""
        now = self.clock()
        if sender in self._alerted or now - self._last_alert < self.rules.alert_every:
            return False
        self._alerted.add(sender)
        self._last_alert = now
        return True

    def succeeded(self, sender: str) -> None:
        """A right code: forget `sender`'s earlier mistakes."""
        self._failures.pop(sender, None)
