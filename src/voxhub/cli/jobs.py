"""The `voxhub jobs` commands: long-text jobs on a running server, through the Python client."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from voxhub.cli.context import fail

if TYPE_CHECKING:
    from voxhub.client import Client, Job

jobs_app = typer.Typer(
    help="Long-text jobs on a voxhub server: submit, follow, download.", no_args_is_help=True
)

ALL_PARTS = ("audio", "srt", "vtt", "timings")

# read by click from the environment as the command line is parsed: the CLI's entry point
Url = Annotated[str, typer.Option("--url", envvar="VOXHUB_URL", help="The voxhub server.")]
ApiKey = Annotated[
    str | None,
    typer.Option("--api-key", envvar="VOXHUB_API_KEY", help="Sent as a bearer token."),
]
Timeout = Annotated[
    float | None, typer.Option(min=0.0, help="Give up waiting after this many seconds.")
]
JobId = Annotated[str, typer.Argument(help="The job's id.")]
DEFAULT_URL = "http://127.0.0.1:8000"


@jobs_app.command()
def submit(
    file: Annotated[Path, typer.Argument(help="Text file to speak ('-' reads stdin).")],
    voice: Annotated[str | None, typer.Option(help="Voice id, e.g. espeak:en-us.")] = None,
    audio_format: Annotated[
        str | None, typer.Option("--format", help="wav, mp3, opus, flac or pcm.")
    ] = None,
    language: Annotated[str | None, typer.Option(help="zh or en; detected if omitted.")] = None,
    speed: Annotated[float | None, typer.Option(min=0.5, max=2.0)] = None,
    sample_rate: Annotated[int | None, typer.Option(help="Output sample rate.")] = None,
    priority: Annotated[
        int | None, typer.Option(min=0, max=9, help="0-9, higher runs first.")
    ] = None,
    callback_url: Annotated[
        str | None, typer.Option(help="Called with the result when the job ends.")
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the job, then download its files.")
    ] = False,
    out: Annotated[Path, typer.Option(help="Where --wait puts the files.")] = Path("."),
    timeout: Timeout = None,
    url: Url = DEFAULT_URL,
    api_key: ApiKey = None,
) -> None:
    """Queue a text file (up to 50,000 characters) for synthesis.

    Prints the job id; with --wait, shows progress and then downloads the audio, SRT, VTT and
    timings into --out and prints their paths.
    """
    text = sys.stdin.read() if str(file) == "-" else _read(file)
    with _client(url, api_key) as client:
        job = client.submit_job(
            text,
            voice=voice,
            format=audio_format,
            language=language,
            speed=speed,
            sample_rate=sample_rate,
            priority=priority,
            callback_url=callback_url,
        )
        _note(
            f"job {job.id} {job.status}: {job.characters} characters in "
            f"{job.progress.chunks_total} chunks"
        )
        if not wait:
            typer.echo(job.id)
            return
        done = _follow(client, job.id, timeout)
        for path in client.download(done.id, out, ALL_PARTS).values():
            typer.echo(path)


@jobs_app.command()
def watch(
    job_id: JobId, timeout: Timeout = None, url: Url = DEFAULT_URL, api_key: ApiKey = None
) -> None:
    """Show a job's progress until it ends; exits non-zero unless it succeeded."""
    with _client(url, api_key) as client:
        _follow(client, job_id, timeout)


@jobs_app.command("list")
def list_jobs(
    status: Annotated[
        str | None,
        typer.Option(help="queued, running, retrying, succeeded, failed or cancelled."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    url: Url = DEFAULT_URL,
    api_key: ApiKey = None,
) -> None:
    """List jobs, newest first."""
    with _client(url, api_key) as client:
        page = client.list_jobs(status, limit, offset)
    for job in page.jobs:
        typer.echo(
            f"{job.id}  {job.status:<9}  {job.progress.percent:5.1f}%  "
            f"{job.characters:>6} chars  {job.created_at:%Y-%m-%d %H:%M:%S}"
        )
    _note(f"{len(page.jobs)} of {page.total} jobs (offset {page.offset})")


@jobs_app.command()
def show(
    job_id: JobId,
    as_json: Annotated[bool, typer.Option("--json", help="The server's JSON.")] = False,
    url: Url = DEFAULT_URL,
    api_key: ApiKey = None,
) -> None:
    """A job's status, progress, settings and result links."""
    with _client(url, api_key) as client:
        job = client.get_job(job_id)
    if as_json:
        typer.echo(job.model_dump_json(indent=2))
        return
    from voxhub.cli.progress import eta_text

    lines = {
        "id": job.id,
        "status": job.status + (" (dead-lettered)" if job.dead_lettered else ""),
        "progress": f"{job.progress.percent:.1f}%, {job.progress.chunks_done}/"
        f"{job.progress.chunks_total} chunks, ETA {eta_text(job.progress.eta_seconds)}",
        "voice": f"{job.voice} ({job.language}), {job.format} {job.sample_rate} Hz",
        "characters": str(job.characters),
        "attempts": f"{job.attempts} ({job.manual_retries} manual retries)",
        "created": f"{job.created_at:%Y-%m-%d %H:%M:%S}",
        "duration": f"{job.duration:.2f} s" if job.duration is not None else "-",
        "error": job.error or "-",
        "audio": job.urls.audio,
    }
    for name, value in lines.items():
        typer.echo(f"{name:<11} {value}")


@jobs_app.command()
def cancel(job_id: JobId, url: Url = DEFAULT_URL, api_key: ApiKey = None) -> None:
    """Cancel a queued or running job."""
    with _client(url, api_key) as client:
        job = client.cancel_job(job_id)
    typer.echo(f"job {job.id} {job.status}")


@jobs_app.command()
def retry(job_id: JobId, url: Url = DEFAULT_URL, api_key: ApiKey = None) -> None:
    """Run a failed or cancelled job again (only its unfinished chunks)."""
    with _client(url, api_key) as client:
        job = client.retry_job(job_id)
    typer.echo(f"job {job.id} {job.status}")


@jobs_app.command()
def download(
    job_id: JobId,
    out: Annotated[Path, typer.Option(help="Directory to write the files into.")] = Path("."),
    part: Annotated[
        list[str] | None,
        typer.Option(help=f"Only these: {', '.join(ALL_PARTS)} (repeatable); all by default."),
    ] = None,
    url: Url = DEFAULT_URL,
    api_key: ApiKey = None,
) -> None:
    """Download a succeeded job's files; prints their paths."""
    parts = part or list(ALL_PARTS)
    unknown = sorted(set(parts) - set(ALL_PARTS))
    if unknown:
        fail(f"unknown part {', '.join(unknown)}; choose from {', '.join(ALL_PARTS)}")
    with _client(url, api_key) as client:
        paths = client.download(job_id, out, parts)
    for path in paths.values():
        typer.echo(path)


@jobs_app.command()
def purge(
    ctx: typer.Context,
    older_than: Annotated[
        str, typer.Option(help="Age of finished jobs to remove: 7d, 12h, 30m, 90s.")
    ] = "7d",
    local: Annotated[
        bool,
        typer.Option(
            "--local",
            help="Act on this machine's embedded database and files directly, for a stopped "
            "server (VOXHUB_DATA_DIR / VOXHUB_DATABASE_URL).",
        ),
    ] = False,
    url: Url = DEFAULT_URL,
    api_key: ApiKey = None,
) -> None:
    """Remove finished jobs, with their events and files, now (the server also does it every
    hour). Asks the server, like the other jobs commands (an admin key when keys are on)."""
    if local:
        _purge_locally(ctx, older_than)
        return
    with _client(url, api_key) as client:
        report = client.purge_jobs(older_than)
    for job_id in report.removed:
        typer.echo(job_id)
    _note(
        f"removed {len(report.removed)} jobs finished more than {older_than} ago "
        f"and {report.files} files"
    )


def _purge_locally(ctx: typer.Context, older_than: str) -> None:
    from voxhub.container import Container
    from voxhub.services.jobs.retention import parse_age
    from voxhub.settings import Settings

    try:
        age = parse_age(older_than)
    except ValueError as exc:
        fail(str(exc))
    settings: Settings = ctx.obj
    report = Container.build(settings).retention.purge(age)
    for job_id in report.jobs:
        typer.echo(job_id)
    _note(
        f"removed {len(report.jobs)} jobs finished more than {older_than} ago "
        f"and {report.objects} files (locally, in {settings.data_dir})"
    )


def _follow(client: Client, job_id: str, timeout: float | None) -> Job:
    """Progress until the job ends; the job when it succeeded, else exit non-zero."""
    from voxhub.cli.progress import JobProgressView

    with JobProgressView(job_id) as view:
        job = client.wait(job_id, on_progress=view.update, timeout=timeout)
    if not job.succeeded:
        fail(f"job {job.id} {job.status}" + (f": {job.error}" if job.error else ""), code=1)
    _note(f"job {job.id} succeeded: {job.duration or 0:.2f} s of audio")
    return job


@contextmanager
def _client(url: str, api_key: str | None) -> Iterator[Client]:
    """A client whose errors end the command with the server's message and exit code 1."""
    from voxhub.client import Client, VoxhubAPIError, VoxhubClientError

    try:
        with Client(url, api_key=api_key) as client:
            yield client
    except VoxhubAPIError as exc:
        fail(f"{exc.message} ({exc.code}, HTTP {exc.status})", code=1)
    except VoxhubClientError as exc:
        fail(str(exc), code=1)


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}")


def _note(message: str) -> None:
    typer.echo(message, err=True)
