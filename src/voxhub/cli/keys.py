"""The `voxhub keys` commands: create, list and revoke API keys in the service's database."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from voxhub.cli.context import fail, settings_of

if TYPE_CHECKING:
    from voxhub.services.auth.keys import KeyRing

keys_app = typer.Typer(
    help="API keys (used when VOXHUB_AUTH__MODE=keys): create, list, revoke.",
    no_args_is_help=True,
)

_RATE = re.compile(r"^\s*(\d+)\s*(?:/\s*(?:m|min|minute))?\s*$")
NoLimit = Annotated[int | None, typer.Option(min=0)]


@keys_app.command()
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name to recognize the key by.")],
    admin: Annotated[bool, typer.Option(help="Sees and manages every tenant's work.")] = False,
    scopes: Annotated[
        str, typer.Option(help="Comma-separated: tts, asr, jobs, voices.")
    ] = "tts,asr,jobs,voices",
    tenant: Annotated[
        str | None,
        typer.Option(help="Whose jobs and voices the key works with (default: NAME)."),
    ] = None,
    rate: Annotated[
        str | None, typer.Option(help="Requests per minute, e.g. 60/min (0: unlimited).")
    ] = None,
    max_jobs: Annotated[
        int | None, typer.Option(min=0, help="Jobs queued or running at once.")
    ] = None,
    chars_per_day: Annotated[
        int | None, typer.Option(min=0, help="Characters of text to speak per day.")
    ] = None,
    asr_connections: Annotated[
        int | None, typer.Option(min=0, help="Real-time recognition connections at once.")
    ] = None,
    expires: Annotated[float | None, typer.Option(help="Days until the key stops working.")] = None,
) -> None:
    """Create a key; it is printed once, as the last line, and never stored."""
    from voxhub.access import KeyLimits
    from voxhub.errors import VoxhubError
    from voxhub.services.auth.keys import KeySpec

    spec = KeySpec(
        name=name,
        tenant=tenant,
        admin=admin,
        scopes=tuple(s.strip() for s in scopes.split(",") if s.strip()),
        limits=KeyLimits(
            requests_per_minute=_rate(rate),
            concurrent_jobs=max_jobs,
            characters_per_day=chars_per_day,
            asr_connections=asr_connections,
        ),
        expires_in_days=expires,
    )
    try:
        record, key = _key_ring(ctx).create(spec)
    except VoxhubError as exc:
        fail(exc.message)
    typer.echo(
        f"created key {record.name!r} for tenant {record.tenant!r}"
        f"{' (admin)' if record.admin else ''}, scopes {','.join(record.scopes)}"
        + (f", expires {record.expires_at:%Y-%m-%d %H:%M} UTC" if record.expires_at else "")
    )
    typer.echo("store it now: it is shown only this once")
    typer.echo(key)


@keys_app.command("list")
def list_keys(ctx: typer.Context) -> None:
    """Every key with its tenant, scopes, limits and state; never the key itself."""
    from voxhub.db.models import utcnow

    now = utcnow()
    records = _key_ring(ctx).list()
    if not records:
        typer.echo("no keys; create one with `voxhub keys create NAME`")
        return
    header = ("NAME", "TENANT", "ROLE", "SCOPES", "LIMITS", "CREATED", "LAST USED", "STATE")
    rows = [header]
    for r in records:
        limits = r.limits
        shown = [
            f"{limits.requests_per_minute}/min" if limits.requests_per_minute is not None else "",
            f"{limits.concurrent_jobs} jobs" if limits.concurrent_jobs is not None else "",
            f"{limits.characters_per_day} chars/day"
            if limits.characters_per_day is not None
            else "",
            f"{limits.asr_connections} asr" if limits.asr_connections is not None else "",
        ]
        rows.append(
            (
                r.name,
                r.tenant,
                "admin" if r.admin else "tenant",
                ",".join(r.scopes),
                " ".join(s for s in shown if s) or "defaults",
                _when(r.created_at),
                _when(r.last_used_at),
                r.state(now),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@keys_app.command()
def revoke(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The key's name.")]
) -> None:
    """The key stops working within seconds, in every server process."""
    from voxhub.errors import VoxhubError

    try:
        record = _key_ring(ctx).revoke(name)
    except VoxhubError as exc:
        fail(exc.message)
    typer.echo(f"revoked key {record.name!r}")


def _key_ring(ctx: typer.Context) -> KeyRing:
    from voxhub.container import Container

    container = Container.build(settings_of(ctx))
    # the embedded database may not exist yet: keys can be made before the first start
    container.migrate_embedded()
    return container.gate.keys


def _rate(value: str | None) -> int | None:
    if value is None:
        return None
    match = _RATE.match(value)
    if match is None:
        fail(f"--rate takes requests per minute, like 60/min; got {value!r}")
    return int(match.group(1))


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M}"
