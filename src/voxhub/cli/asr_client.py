"""`voxhub asr-client`: stream a sound file to a real-time recognition WebSocket, or check one."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

DEFAULT_URL = "ws://127.0.0.1:8000/v1/asr/stream"


def asr_client(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A WAV (or FLAC/OGG) file.")
    ],
    url: Annotated[
        str,
        typer.Option(
            envvar="VOXHUB_ASR_URL",
            help="ws://HOST:PORT/v1/asr/stream, or …/ws/asr for the FunASR-compatible route.",
        ),
    ] = DEFAULT_URL,
    language: Annotated[str, typer.Option(help="zh, en or auto.")] = "auto",
    engine: Annotated[
        str | None, typer.Option(help="Engine to ask for; the server's default if omitted.")
    ] = None,
    realtime: Annotated[
        bool,
        typer.Option("--realtime/--fast", help="Pace frames in real time, or send at once."),
    ] = True,
    frame_ms: Annotated[
        int, typer.Option(min=100, max=200, help="Milliseconds of audio per frame.")
    ] = 100,
    partials: Annotated[bool, typer.Option(help="Ask for partial results.")] = True,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            envvar="VOXHUB_API_KEY",
            help="Sent in the WebSocket handshake as a bearer token.",
        ),
    ] = None,
    checks: Annotated[
        bool,
        typer.Option(
            "--checks",
            help="Run the FunASR test client's checks (connect, control messages, audio, "
            "full workflow, several connections, invalid messages) instead; exit 1 on a fail.",
        ),
    ] = False,
    expect: Annotated[
        str | None,
        typer.Option(
            help="With --checks: the text spoken in FILE; the finals of the whole file must "
            "match it within --max-wer. Read from FILE's .txt twin (talk.wav → talk.txt) "
            "when that exists and this is not given.",
        ),
    ] = None,
    max_wer: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="With --checks: the word error rate allowed."),
    ] = 0.25,
) -> None:
    """Stream FILE (resampled to 16 kHz PCM16) and print partials and the final, as they come."""
    from voxhub.client.asr_stream import load_pcm16

    try:
        pcm = load_pcm16(file)
    except Exception as exc:  # soundfile raises its own errors for unreadable files
        typer.secho(f"error: cannot read {file}: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc
    if checks:
        expected = expect if expect is not None else _spoken_text(file)
        raise typer.Exit(
            asyncio.run(_checks(url, pcm, language, engine, realtime, api_key, expected, max_wer))
        )
    from websockets.exceptions import WebSocketException

    try:
        asyncio.run(_stream(url, pcm, language, engine, realtime, frame_ms, partials, api_key))
    except (OSError, TimeoutError, WebSocketException) as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc


async def _stream(
    url: str,
    pcm: bytes,
    language: str,
    engine: str | None,
    realtime: bool,
    frame_ms: int,
    partials: bool,
    api_key: str | None,
) -> None:
    from voxhub.client.asr_stream import StreamClient

    def show_partial(text: str) -> None:
        typer.echo(f"partial  {text}")

    async with await StreamClient.open(url, on_partial=show_partial, api_key=api_key) as client:
        if client.dialect.name == "funasr":
            await client.next({"greeting"}, 10)
        await client.send(client.dialect.start(language, partials, engine))
        ready = await client.next({"ready", "error"}, 60)
        if client.dialect.kind(ready) == "error":
            typer.secho(f"error: {ready.get('message')}", fg=typer.colors.RED, err=True)
            raise typer.Exit(1)
        said = await client.utterance(pcm, frame_ms=frame_ms, realtime=realtime)
        final = said.final
        if client.dialect.kind(final) == "error":
            typer.secho(f"error: {final.get('message')}", fg=typer.colors.RED, err=True)
            raise typer.Exit(1)
        typer.echo(f"final    {final.get('text', '')}")
        typer.echo(
            f"         {said.audio_seconds:.2f} s of audio, {len(said.partials)} partials, "
            f"final {said.latency * 1000:.0f} ms after stop",
            err=True,
        )


def _spoken_text(file: Path) -> str | None:
    """The text beside a sound file (talk.wav → talk.txt), when there is one."""
    twin = file.with_suffix(".txt")
    if not twin.is_file():
        typer.secho(
            "note: no expected text (--expect, or a .txt beside the file): "
            "finals are not compared with what the file says",
            fg=typer.colors.YELLOW,
            err=True,
        )
        return None
    try:
        return twin.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        typer.secho(f"error: cannot read {twin}: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc


async def _checks(
    url: str,
    pcm: bytes,
    language: str,
    engine: str | None,
    realtime: bool,
    api_key: str | None,
    expected: str | None,
    max_wer: float,
) -> int:
    from voxhub.client.asr_checks import CheckResult, Checks
    from voxhub.engines.asr.accuracy import word_error_rate

    def report(result: CheckResult) -> None:
        typer.secho(result.line(), fg=typer.colors.GREEN if result.passed else typer.colors.RED)
        sys.stdout.flush()

    checks = Checks(
        url,
        pcm,
        language,
        engine,
        realtime,
        api_key,
        expected=expected,
        error_rate=word_error_rate,
        max_error_rate=max_wer,
    )
    results = await checks.run(report)
    failed = sum(1 for r in results if not r.passed)
    typer.echo(f"checks: {len(results) - failed} of {len(results)} passed")
    return 1 if failed else 0
