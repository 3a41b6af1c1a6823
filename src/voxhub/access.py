"""Who a request acts for: a tenant that sees its own jobs and voices, or every tenant."""

from __future__ import annotations

from dataclasses import dataclass, field

SCOPES = ("tts", "asr", "jobs", "voices")


@dataclass(frozen=True, slots=True)
class KeyLimits:
    """A key's own limits; None takes the server's default, 0 is unlimited."""

    requests_per_minute: int | None = None
    concurrent_jobs: int | None = None
    characters_per_day: int | None = None
    asr_connections: int | None = None


@dataclass(frozen=True, slots=True)
class Access:
    """The tenant a request acts for and what it may do.

    `tenant` is stamped as the owner of what the request creates; `admin` sees and manages
    what every tenant owns. With authentication off every request is `EVERYONE`.
    """

    tenant: str | None
    admin: bool = False
    scopes: frozenset[str] = frozenset(SCOPES)
    # the key's name, for logs and limits; None with authentication off
    key: str | None = None
    limits: KeyLimits = field(default_factory=KeyLimits)

    def sees(self, owner: str | None) -> bool:
        return self.admin or owner == self.tenant

    @property
    def owner_filter(self) -> str | None:
        """The owner a listing is restricted to; None lists everything (admins)."""
        return None if self.admin else self.tenant


EVERYONE = Access(tenant=None, admin=True)
