"""Reference recordings of cloning templates: checked when registered, fetched by URL safely."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from voxhub.audio.decode import decode_audio
from voxhub.errors import (
    CallbackUrlRefused,
    InvalidReferenceAudio,
    PayloadTooLarge,
    UndecodableAudio,
)
from voxhub.services.webhooks.pinned import send_pinned
from voxhub.services.webhooks.ssrf import CallbackPolicy

MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# containers a reference may come in, as PyAV names them, and the type it is stored as
MEDIA_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg", "flac": "audio/flac", "ogg": "audio/ogg"}
EXTENSIONS = {media: name for name, media in MEDIA_TYPES.items()}


@dataclass(frozen=True, slots=True)
class ReferenceLimits:
    max_bytes: int
    min_seconds: float
    max_seconds: float
    min_rate: int


@dataclass(frozen=True, slots=True)
class CheckedReference:
    data: bytes
    media_type: str
    duration: float
    sample_rate: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.media_type]


def check_reference(data: bytes, limits: ReferenceLimits) -> CheckedReference:
    """Decode `data` and check its format, length and sample rate; raise naming the problem."""
    if len(data) > limits.max_bytes:
        raise PayloadTooLarge(
            f"The reference audio has {len(data):,} bytes; at most {limits.max_bytes:,} are taken."
        )
    decoded = decode_audio(data)
    media_type = MEDIA_TYPES.get(decoded.container)
    if media_type is None:
        raise UndecodableAudio(
            f"The reference audio is {decoded.container}; send wav, mp3, flac or ogg."
        )
    if decoded.duration < limits.min_seconds or decoded.duration > limits.max_seconds:
        raise InvalidReferenceAudio(
            f"The reference audio lasts {decoded.duration:.1f} s; it must last between "
            f"{limits.min_seconds:g} and {limits.max_seconds:g} s."
        )
    if decoded.source_rate < limits.min_rate:
        raise InvalidReferenceAudio(
            f"The reference audio is sampled at {decoded.source_rate} Hz; at least "
            f"{limits.min_rate} Hz is needed for cloning."
        )
    return CheckedReference(data, media_type, decoded.duration, decoded.source_rate)


class ReferenceFetcher:
    """Downloads a reference recording from a URL the SSRF policy allows, hop by hop."""

    def __init__(self, policy: CallbackPolicy, timeout: float, max_bytes: int) -> None:
        self._policy = policy
        self._timeout = timeout
        self._max_bytes = max_bytes

    def fetch(self, url: str) -> bytes:
        label = "audio_url"
        # the environment's proxies would resolve names themselves, defeating the check
        with httpx.Client(timeout=self._timeout, trust_env=False) as client:
            current = url
            for _ in range(MAX_REDIRECTS + 1):
                destination = self._policy.check(current, label)
                try:
                    response = send_pinned(client, "GET", destination)
                except httpx.HTTPError as exc:
                    raise UndecodableAudio(
                        f"audio_url {url} could not be downloaded: {type(exc).__name__}: {exc}"
                    ) from exc
                try:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        current, label = urljoin(current, location), "audio_url redirect to"
                        continue
                    if response.status_code != 200:
                        raise UndecodableAudio(
                            f"audio_url {url} answered HTTP {response.status_code}; "
                            "give a URL that serves the recording."
                        )
                    return self._read(response, url)
                finally:
                    response.close()
        raise CallbackUrlRefused(f"audio_url {url} redirects more than {MAX_REDIRECTS} times.")

    def _read(self, response: httpx.Response, url: str) -> bytes:
        data = bytearray()
        try:
            for piece in response.iter_bytes():
                data += piece
                if len(data) > self._max_bytes:
                    raise PayloadTooLarge(
                        f"audio_url {url} serves more than {self._max_bytes:,} bytes."
                    )
        except httpx.HTTPError as exc:
            raise UndecodableAudio(f"audio_url {url} broke off: {exc}") from exc
        return bytes(data)
