"""A job's progress on stderr: a live bar on a terminal, a line per step in logs."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from voxhub.client import JobProgress


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = round(seconds)
    return f"{whole} s" if whole < 60 else f"{whole // 60} min {whole % 60:02d} s"


def progress_line(progress: JobProgress) -> str:
    chunks = f"{progress.chunks_done}/{progress.chunks_total} chunks"
    eta = eta_text(progress.eta_seconds)
    return f"{progress.status:<9} {progress.percent:5.1f}%  {chunks}  ETA {eta}"


class JobProgressView:
    """Feed it each JobProgress of a job (`update`) inside a `with` block."""

    def __init__(self, job_id: str) -> None:
        from rich.console import Console

        self._job_id = job_id
        self._console = Console(stderr=True)
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        # when not on a terminal: the (status, tenth of the way) last written as a line
        self._last_line: tuple[str, int] | None = None

    def __enter__(self) -> JobProgressView:
        if self._console.is_terminal:
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

            self._progress = Progress(
                TextColumn("[bold]{task.fields[status]:<9}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[chunks]} chunks"),
                TextColumn("ETA {task.fields[eta]}"),
                console=self._console,
            )
            self._progress.start()
            self._task = self._progress.add_task(
                self._job_id, total=100, status="waiting", chunks="-", eta="-"
            )
        return self

    def update(self, progress: JobProgress) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(
                self._task,
                completed=progress.percent,
                status=progress.status,
                chunks=f"{progress.chunks_done}/{progress.chunks_total}",
                eta=eta_text(progress.eta_seconds),
            )
            return
        step = (progress.status, int(progress.percent // 10))
        if step != self._last_line:
            self._last_line = step
            self._console.print(progress_line(progress), highlight=False)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
