"""The `voxhub transcribe` command: a recording to text, with a local engine or a server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from voxhub.cli.context import fail
from voxhub.settings import Settings


def transcribe(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="wav, mp3, ogg, webm or flac."
        ),
    ],
    engine: Annotated[
        str | None, typer.Option(help="whisper or pocketsphinx (VOXHUB_ASR__DEFAULT).")
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="zh, en or auto (auto: whisper detects it).")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="text, json, srt or vtt.")
    ] = "text",
    hotwords: Annotated[
        str | None,
        typer.Option(help='Names and terms to expect, comma-separated: "Kubernetes, 司马懿".'),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(help="Send the file to this voxhub server instead of decoding here."),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option("--api-key", envvar="VOXHUB_API_KEY", help="Sent to --url as a bearer token."),
    ] = None,
) -> None:
    """Transcribe a recording and print the text, JSON or subtitles."""
    from voxhub.errors import VoxhubError
    from voxhub.services.recognition.hotwords import form_hotwords_prompt
    from voxhub.services.transcripts import check_format

    try:
        fmt = check_format(output_format)
        prompt = form_hotwords_prompt(hotwords)
        data = file.read_bytes()
        if url:
            text = _remote(url, api_key, file.name, data, engine, language, fmt, prompt)
        else:
            text = _local(ctx.obj, data, engine, language, fmt, prompt)
        typer.echo(text, nl=False)
    except VoxhubError as exc:
        fail(exc.message)


def _local(
    settings: Settings,
    data: bytes,
    engine: str | None,
    language: str | None,
    fmt: str,
    prompt: str | None,
) -> str:
    from voxhub.engine_setup import asr_engine_pool
    from voxhub.services.transcription import Transcriber, TranscriptionLimits
    from voxhub.services.transcripts import render_text, transcript_json
    from voxhub.subtitles.cues import CueRules

    asr = settings.asr
    transcriber = Transcriber(
        asr_engine_pool(settings),
        asr.default,
        TranscriptionLimits(max_bytes=asr.max_upload_bytes, max_seconds=asr.max_file_seconds),
    )
    result = transcriber.transcribe_blocking(data, engine, language, fmt != "text", prompt)
    if fmt == "json":
        body = {**transcript_json(result.transcript), "engine": result.engine}
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    rules = CueRules(
        max_lines=settings.subtitles.max_lines,
        cjk_chars_per_line=settings.subtitles.cjk_chars_per_line,
        latin_chars_per_line=settings.subtitles.latin_chars_per_line,
    )
    return render_text(result.transcript, fmt, rules)


def _remote(
    url: str,
    api_key: str | None,
    name: str,
    data: bytes,
    engine: str | None,
    language: str | None,
    fmt: str,
    prompt: str | None,
) -> str:
    import httpx

    fields = {"response_format": fmt, "word_timestamps": str(fmt != "text").lower()}
    if engine:
        fields["engine"] = engine
    if language:
        fields["language"] = language
    if prompt:
        # the words, checked and joined with commas, as the server reads them
        fields["hotwords"] = prompt
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        response = httpx.post(
            url.rstrip("/") + "/v1/asr/transcriptions",
            data=fields,
            files={"file": (name, data)},
            headers=headers,
            # a long recording takes a while to decode
            timeout=httpx.Timeout(10.0, read=None),
        )
    except httpx.HTTPError as exc:
        fail(f"cannot reach {url}: {exc}")
    if response.is_error:
        fail(_error_message(response))
    if fmt == "json":
        return json.dumps(response.json(), ensure_ascii=False, indent=2) + "\n"
    return response.text


def _error_message(response: object) -> str:
    import httpx

    assert isinstance(response, httpx.Response)
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return f"the server answered {response.status_code}: {response.text[:200]}"
