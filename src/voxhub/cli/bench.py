"""`voxhub bench`: benchmarks that print ratios measured in one run."""

from __future__ import annotations

from typing import Annotated

import typer

bench_app = typer.Typer(help="Benchmarks that print ratios measured in one run.")


@bench_app.command("online")
def bench_online(
    engine: Annotated[str, typer.Option(help="Engine to measure.")] = "kokoro",
    repeat: Annotated[int, typer.Option(min=1, help="Runs per measurement (median reported).")] = 5,
) -> None:
    """POST /v1/tts over uvicorn vs a direct engine call; streaming first byte vs full synthesis."""
    from voxhub.benchmarks.online import run

    run(engine=engine, repeat=repeat, out=typer.echo)


@bench_app.command("jobs")
def bench_jobs(
    kokoro_chars: Annotated[int, typer.Option(help="Text length of the kokoro scaling run.")] = 600,
    fake_chunks: Annotated[int, typer.Option(help="Chunks of the throughput runs.")] = 1000,
) -> None:
    """Job wall time with 1 vs 2 workers, chunks/s per broker, merge memory 10k vs 50k chars."""
    from voxhub.benchmarks.jobs import run

    run(out=typer.echo, kokoro_chars=kokoro_chars, fake_chunks=fake_chunks)


@bench_app.command("overload")
def bench_overload(
    duration: Annotated[
        float, typer.Option(min=1.0, help="Seconds of the overload phase (unloaded: a third).")
    ] = 30.0,
    engine: Annotated[
        str, typer.Option(help="espeak (fast) or kokoro (slow, ~1 s per 100 characters).")
    ] = "espeak",
) -> None:
    """Short-text throughput and p99 at 10x the concurrency limit vs at it; time to a 429."""
    from voxhub.benchmarks.overload import run

    run(out=typer.echo, duration=duration, engine=engine)
