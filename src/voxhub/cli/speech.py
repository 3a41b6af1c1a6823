"""Speaking without a server: `say` and `voices`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from voxhub.cli.context import fail, read_text, settings_of
from voxhub.errors import VoxhubError

if TYPE_CHECKING:
    from voxhub.db.repositories.voice_records import RegisteredVoice
    from voxhub.settings import Settings


def say(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="Text to speak; use -f for a file.")] = None,
    file: Annotated[
        Path | None, typer.Option("-f", "--file", help="Read the text from a file ('-' for stdin).")
    ] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Audio file to write.")] = Path(
        "speech.wav"
    ),
    voice: Annotated[
        str | None, typer.Option(help="Voice id, e.g. kokoro:jm_kumo or espeak:cmn.")
    ] = None,
    language: Annotated[str | None, typer.Option(help="zh or en; detected if omitted.")] = None,
    audio_format: Annotated[
        str | None,
        typer.Option("--format", help="wav, mp3, opus, flac or pcm; from -o if omitted."),
    ] = None,
    speed: Annotated[float, typer.Option(min=0.5, max=2.0)] = 1.0,
    sample_rate: Annotated[int | None, typer.Option(help="Output sample rate.")] = None,
    srt: Annotated[Path | None, typer.Option(help="Also write SRT subtitles here.")] = None,
    vtt: Annotated[Path | None, typer.Option(help="Also write WebVTT subtitles here.")] = None,
) -> None:
    """Speak text with a local engine (no server) and write audio and subtitles."""
    from voxhub.cli.local import speak_to_files
    from voxhub.cli.notices import warnings_shown
    from voxhub.services.synthesis import log as synthesis_log

    content = read_text(text, file)
    fmt = audio_format or (output.suffix.lstrip(".") or "wav")
    try:
        # e.g. a voice that does not speak the text's language, naming one that does
        with warnings_shown(synthesis_log):
            summary = speak_to_files(
                settings_of(ctx),
                content,
                output=output,
                voice=voice,
                language=language,
                audio_format=fmt,
                speed=speed,
                sample_rate=sample_rate,
                srt=srt,
                vtt=vtt,
            )
    except VoxhubError as exc:
        fail(str(exc))
    typer.echo(summary)


def voices(
    ctx: typer.Context,
    language: Annotated[str | None, typer.Option(help="Only voices speaking zh or en.")] = None,
    engine: Annotated[str | None, typer.Option(help="Only this engine's voices.")] = None,
) -> None:
    """List the voices of the enabled engines and the registered voices."""
    from voxhub.engine_setup import tts_engine_pool
    from voxhub.services.voices.catalog import VoiceCatalog
    from voxhub.text.language import normalize_language_tag

    settings = settings_of(ctx)
    # engine voices from the engines' catalogs, registered ones from the database: nothing
    # here loads a model or starts the machinery a server needs
    catalog = VoiceCatalog(tts_engine_pool(settings), settings.engines.default)
    try:
        wanted = normalize_language_tag(language) if language else None
        rows = [
            (v.id, ",".join(v.languages), v.gender or "-", v.description)
            for v in catalog.all(wanted, engine)
        ]
        rows += [
            (
                r.id,
                r.language,
                "-",
                f"{r.name} ({r.engine}{', cloning' if r.cloning else ''})"
                + (f"; aliases {', '.join(r.aliases)}" if r.aliases else ""),
            )
            for r in registered_voices(settings, wanted, engine)
        ]
    except VoxhubError as exc:
        fail(str(exc))
    width = max((len(row[0]) for row in rows), default=10)
    for voice_id, languages, gender, description in rows:
        typer.echo(f"{voice_id:<{width}}  {languages:<8}  {gender:<7}  {description}")


def registered_voices(
    settings: Settings, language: str | None, engine: str | None
) -> list[RegisteredVoice]:
    """Every tenant's registered voices; none where no database was ever made."""
    from sqlalchemy.exc import SQLAlchemyError

    from voxhub.db.engine import database_engine
    from voxhub.db.repositories.voices import VoiceStore

    if not settings.database_url and not settings.embedded_database.is_file():
        return []
    database = database_engine(settings.database)
    try:
        return VoiceStore(database).list(language, engine)
    except SQLAlchemyError as exc:
        fail(
            f"Cannot read registered voices from the database ({type(exc).__name__}); "
            "`voxhub migrate` brings it up to date."
        )
    finally:
        database.dispose()
