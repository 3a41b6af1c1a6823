"""The one error tree of voxhub; api/errors.py maps each class to an HTTP status."""

from __future__ import annotations


class VoxhubError(Exception):
    """Base of every error voxhub reports to a user.

    `code` is a stable machine-readable identifier; the message says what to do.
    """

    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(VoxhubError):
    """The request is well-formed but a value is not acceptable."""

    code = "invalid_input"


class EmptyText(InvalidInput):
    code = "empty_text"


class UnsupportedFormat(InvalidInput):
    code = "unsupported_format"


class UnsupportedSampleRate(InvalidInput):
    code = "unsupported_sample_rate"


class UnsupportedLanguage(InvalidInput):
    code = "unsupported_language"


class InvalidHotwords(InvalidInput):
    """Too many hotwords, or an empty or overlong one."""

    code = "invalid_hotwords"


class UndecodableAudio(InvalidInput):
    """Audio that PyAV cannot read, or that holds no samples."""

    code = "undecodable_audio"


class CloningNotSupported(InvalidInput):
    """A cloning voice named with, or registered for, an engine that cannot clone."""

    code = "cloning_not_supported"


class InvalidReferenceAudio(InvalidInput):
    """A voice's reference recording is too short, too long, or of too low a sample rate."""

    code = "invalid_reference_audio"


class CallbackUrlRefused(InvalidInput):
    """A callback URL that is not http(s), does not resolve, or reaches a private, loopback,
    link-local or metadata address that settings do not allow."""

    code = "callback_url_refused"


class TextTooLong(VoxhubError):
    code = "text_too_long"


class PayloadTooLarge(VoxhubError):
    """An upload or download over its size limit."""

    code = "payload_too_large"


class NotFound(VoxhubError):
    code = "not_found"


class VoiceNotFound(NotFound):
    code = "voice_not_found"


class EngineNotFound(NotFound):
    code = "engine_not_found"


class ModelNotFound(NotFound):
    """A model name (as OpenAI-compatible clients name engines) that maps to no engine."""

    code = "model_not_found"


class JobNotFound(NotFound):
    code = "job_not_found"


class ObjectNotFound(NotFound):
    """No object under a key in the object store (never written, or already removed)."""

    code = "object_not_found"


class Conflict(VoxhubError):
    """The request does not fit the current state of what it names (e.g. cancel a finished job)."""

    code = "conflict"


class VoiceInUse(Conflict):
    """A voice that queued or running jobs still speak with."""

    code = "voice_in_use"


class StorageUnavailable(VoxhubError):
    """The object store (local directory or S3 bucket) failed or could not be reached."""

    code = "storage_unavailable"


class ConfigurationError(VoxhubError):
    """Settings that cannot work together; raised while starting, before serving anything."""

    code = "invalid_configuration"


class EngineUnavailable(VoxhubError):
    """An engine could not be loaded or failed while synthesizing."""

    code = "engine_unavailable"


class RemoteTimeout(EngineUnavailable):
    """A remote synthesis service did not finish within its timeout (the work was cancelled)."""

    code = "remote_timeout"


class Overloaded(VoxhubError):
    """Every slot and queue place of the request's class is taken; retry later."""

    code = "overloaded"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(Overloaded):
    """A key used up one of its limits (requests per minute, characters per day, concurrent
    jobs or recognition connections); the answer says which, and when it frees up."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: int, limit: int, remaining: int, reset: int):
        super().__init__(message, retry_after)
        self.limit = limit
        self.remaining = remaining
        # when the window resets, in seconds since the epoch
        self.reset = reset


class Unauthenticated(VoxhubError):
    """No API key, or one that is wrong, revoked or expired."""

    code = "unauthenticated"


class Forbidden(VoxhubError):
    """The key is valid but does not allow this: a scope it lacks, or an admin's action."""

    code = "forbidden"


class DeadlineExceeded(VoxhubError):
    """The request did not finish within its deadline (queue wait plus synthesis)."""

    code = "timeout"

    def __init__(self, message: str, timeout: float | None = None) -> None:
        super().__init__(message)
        # the deadline that passed, in seconds (replaced services' clients are told it)
        self.timeout = timeout


class SynthesisCancelled(VoxhubError):
    """Synthesis stopped between sentences because its caller went away."""

    code = "cancelled"


class StreamProtocolError(InvalidInput):
    """A real-time recognition message that breaks the stream protocol; the connection stays
    usable and the message is ignored."""

    code = "protocol_error"


class InvalidMessage(StreamProtocolError):
    """A control frame that is not a JSON object, or a field of the wrong type."""

    code = "invalid_message"


class UnknownMessageType(StreamProtocolError):
    code = "unknown_message_type"


class StreamNotStarted(StreamProtocolError):
    """Audio, `stop` or `reset` before a `start`."""

    code = "not_started"


class NoAudio(StreamProtocolError):
    """`stop` with no audio since the `start` or the last final."""

    code = "no_audio"


class InvalidAudioFrame(StreamProtocolError):
    """A binary frame that is not whole PCM16 samples (an odd number of bytes)."""

    code = "invalid_audio"


class FrameTooLarge(StreamProtocolError):
    code = "frame_too_large"


class UtteranceTooLong(StreamProtocolError):
    """An utterance over the maximum length: what was heard up to it is finalized."""

    code = "utterance_too_long"


class IdleTimeout(VoxhubError):
    """A real-time connection that sent nothing for too long; it is closed."""

    code = "idle_timeout"
