"""The API under uvicorn, in one process or a supervisor of several, stopped by ServeStop."""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
from collections.abc import Iterator

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess

from voxhub.cli.api_process import ShutdownGate
from voxhub.cli.forwarded import ForwardedHeaders
from voxhub.cli.stopping import SIGNALS, ServeStop, graceful_seconds
from voxhub.settings import Settings

# each process of `--workers N` builds its app itself, from the environment
APP_FACTORY = "voxhub.cli.api_process:app_from_environment"


class GracefulServer(uvicorn.Server):
    """uvicorn's server with `stop` handling the signals: the first one is uvicorn's
    graceful shutdown, a second one is `stop`'s (uvicorn would only count SIGINTs)."""

    def __init__(self, config: uvicorn.Config, stop: ServeStop) -> None:
        super().__init__(config)
        self._stop = stop
        stop.on_begin(self._exit)

    def _exit(self) -> None:
        self.should_exit = True

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self._stop.handle) for sig in SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class Supervisor(Multiprocess):
    """uvicorn's supervisor of API processes, with `stop` handling the signals: the first
    one is uvicorn's (SIGTERM to every process, each stopping gracefully); waiting for them
    is bounded by the timeout, and a second signal kills them."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], stop: ServeStop):
        super().__init__(config, sockets)
        self._stop = stop
        for sig in SIGNALS:
            signal.signal(sig, stop.handle)
        # a list append: what uvicorn's own handlers do, safe in a signal handler
        stop.on_begin(lambda: self.signal_queue.append(signal.SIGTERM))
        stop.on_force(self._kill_all)

    def run(self) -> None:
        super().run()
        # multiprocessing's resource tracker, started for the API processes, exits when this
        # process does: stopped and reaped now, it is not left defunct for init to collect
        from multiprocessing import resource_tracker

        stop_tracker = getattr(resource_tracker._resource_tracker, "_stop", None)
        if stop_tracker is not None:
            stop_tracker()

    def join_all(self) -> None:
        for process in self.processes:
            process.process.join(self._stop.children_left())
            if process.process.is_alive():
                process.kill()
                process.process.join()

    def _kill_all(self) -> None:
        for process in self.processes:
            if process.process.is_alive():
                process.process.kill()
        for process in self.processes:
            process.process.join(1.0)  # reaped, not left defunct


def run_api(settings: Settings, stop: ServeStop) -> None:
    """Serve until stopped (blocking), then let the workers finish within the timeout."""
    from voxhub.api.app import create_app

    server = settings.server
    several = server.workers > 1
    trusted = server.forwarded_allow_ips
    config = uvicorn.Config(
        APP_FACTORY if several else ForwardedHeaders(ShutdownGate(create_app(settings)), trusted),
        factory=several,
        # the app is wrapped in ForwardedHeaders, which also reads X-Forwarded-Host
        proxy_headers=False,
        workers=server.workers,
        host=server.host,
        port=server.port,
        log_level=settings.log_level.lower(),
        # logging is already set up: uvicorn's lines go through it (request ids)
        log_config=None,
        # protocol pings keep real-time recognition connections alive through proxies
        ws_ping_interval=settings.asr.ping_interval,
        ws_ping_timeout=settings.asr.ping_interval,
        timeout_graceful_shutdown=graceful_seconds(settings.shutdown_timeout),
    )
    try:
        if several:
            Supervisor(config, [config.bind_socket()], stop).run()
        else:
            single = GracefulServer(config, stop)
            single.run()
            if not single.started:
                sys.exit(STARTUP_FAILURE)
    finally:
        stop.stop_workers()
