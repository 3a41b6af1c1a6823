"""eSpeak NG formant synthesis through ctypes: fast, small, with word and sentence events."""

from __future__ import annotations

import ctypes
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voxhub.engines.tts.base import (
    Capabilities,
    Samples,
    SpokenAudio,
    StockVoices,
    SynthesisParams,
    Voice,
)
from voxhub.engines.tts.options import EngineOptions
from voxhub.errors import EngineUnavailable
from voxhub.timing import WordTiming

# espeak_AUDIO_OUTPUT and option flags from speak_lib.h
_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_POSITION_CHARACTER = 1
_PARAMETER_RATE = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_EVENT_SENTENCE = 2
_DEFAULT_WORDS_PER_MINUTE = 175

# voice identifier in espeak -> (voxhub voice name, language)
_VOICES = {
    "cmn": ("cmn", "zh"),
    "en-us": ("en-us", "en"),
    "en-gb": ("en-gb", "en"),
    "en-gb-x-rp": ("en-gb-x-rp", "en"),
    "en-gb-scotland": ("en-gb-scotland", "en"),
    "en-029": ("en-029", "en"),
    "en-us-nyc": ("en-us-nyc", "en"),
}
# what a word's text keeps: punctuation around it is written, not spoken
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")
DEFAULT_VOICES = {"zh": "cmn", "en": "en-us"}

# libespeak-ng keeps its voice, rate and callback in process globals, so every engine
# instance in a process must take the same lock around a synthesis.
_LIBRARY_LOCK = threading.Lock()


class _Event(ctypes.Structure):
    _fields_ = [  # ctypes layout of espeak_EVENT
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


class _VoiceSpec(ctypes.Structure):
    _fields_ = [  # ctypes layout of espeak_VOICE
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass(frozen=True, slots=True)
class _Mark:
    """Where a word starts, in characters of the text and in samples of the audio."""

    char: int
    sample: int


class _Capture:
    """Collects the audio and word events of one synthesis call."""

    def __init__(self) -> None:
        self.chunks: list[Samples] = []
        self.words: list[_Mark] = []
        self.sentences: list[_Mark] = []

    def __call__(self, wav: Any, count: int, events: Any) -> int:
        if count > 0 and wav:
            pcm = np.ctypeslib.as_array(wav, shape=(count,))
            self.chunks.append(pcm.astype(np.float32) / 32768.0)
        index = 0
        while events[index].type != _EVENT_LIST_TERMINATED:
            event = events[index]
            # text_position counts characters from 1; `sample` is the exact audio offset
            mark = _Mark(event.text_position - 1, event.sample)
            if event.type == _EVENT_WORD:
                self.words.append(mark)
            elif event.type == _EVENT_SENTENCE:
                self.sentences.append(mark)
            index += 1
        return 0


class EspeakEngine(StockVoices):
    """libespeak-ng from the espeakng-loader wheel, one synthesis at a time per process."""

    label = "eSpeak"

    name = "espeak"

    def __init__(self, library: ctypes.CDLL, sample_rate: int) -> None:
        self._lib = library
        self._sample_rate = sample_rate
        self._capture = _Capture()
        # the C side keeps a pointer to the callback: it must live as long as the engine
        self._callback = _Callback(self._dispatch)
        # voxhub voice name -> espeak voice identifier (the file it is read from)
        self._identifiers: dict[str, str] = {}
        self._voices = self._list_voices()
        self._capabilities = Capabilities(
            languages=frozenset(lang for _, lang in _VOICES.values()),
            sample_rate=sample_rate,
            word_timings=True,
            streaming=True,
            cloning=False,
        )
        self._default_ids = {lang: f"espeak:{name}" for lang, name in DEFAULT_VOICES.items()}

    @classmethod
    def load(cls, options: EngineOptions) -> EspeakEngine:
        import espeakng_loader

        library = ctypes.CDLL(espeakng_loader.get_library_path())
        library.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_VoiceSpec))
        library.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        # espeak wants the directory that holds espeak-ng-data
        data_root = str(Path(espeakng_loader.get_data_path()).parent).encode()
        with _LIBRARY_LOCK:
            rate = library.espeak_Initialize(
                _OUTPUT_SYNCHRONOUS, 0, data_root, _INITIALIZE_DONT_EXIT
            )
        if rate <= 0:
            raise EngineUnavailable(f"eSpeak NG failed to initialize (code {rate}).")
        return cls(library, int(rate))

    def synthesize(
        self, text: str, voice: Voice, language: str, params: SynthesisParams
    ) -> SpokenAudio:
        if not text.strip():
            return SpokenAudio(np.zeros(0, dtype=np.float32), self._sample_rate, ())
        data = text.encode("utf-8")
        rate = round(_DEFAULT_WORDS_PER_MINUTE * min(max(params.speed, 0.5), 2.0))
        with _LIBRARY_LOCK:
            capture = self._capture = _Capture()
            self._lib.espeak_SetSynthCallback(self._callback)
            identifier = self._identifiers.get(voice.name, voice.name)
            if self._lib.espeak_SetVoiceByName(identifier.encode()) != 0:
                raise EngineUnavailable(f"eSpeak NG has no voice {voice.name!r}.")
            self._lib.espeak_SetParameter(_PARAMETER_RATE, rate, 0)
            status = self._lib.espeak_Synth(
                data, len(data) + 1, 0, _POSITION_CHARACTER, 0, _CHARS_UTF8, None, None
            )
        if status != 0:
            raise EngineUnavailable(f"eSpeak NG failed to synthesize (code {status}).")
        samples = (
            np.concatenate(capture.chunks) if capture.chunks else np.zeros(0, dtype=np.float32)
        )
        return SpokenAudio(samples, self._sample_rate, self._words(text, capture, len(samples)))

    def _dispatch(self, wav: Any, count: int, events: Any) -> int:
        return self._capture(wav, count, events)

    def _words(self, text: str, capture: _Capture, total: int) -> tuple[WordTiming, ...]:
        """A word runs from its event to the next one; espeak merges some words ("of the").

        Taking the text up to the next word event keeps every character of the input in
        exactly one word, even where espeak spoke two words as one.
        """
        marks = sorted({m.char: m for m in capture.words}.values(), key=lambda m: m.char)
        words: list[WordTiming] = []
        for index, mark in enumerate(marks):
            following = marks[index + 1] if index + 1 < len(marks) else None
            end_char = following.char if following else len(text)
            end_sample = following.sample if following else total
            spoken = _EDGE_PUNCTUATION.sub("", text[mark.char : end_char])
            if spoken:
                words.append(
                    WordTiming(
                        spoken, mark.sample / self._sample_rate, end_sample / self._sample_rate
                    )
                )
        return tuple(words)

    def _list_voices(self) -> list[Voice]:
        found: dict[str, Voice] = {}
        specs = self._lib.espeak_ListVoices(None)
        index = 0
        while specs[index]:
            spec = specs[index].contents
            index += 1
            # `languages` is a priority byte followed by a NUL-terminated language tag
            tag = (spec.languages or b"\0\0")[1:].split(b"\0")[0].decode()
            if tag not in _VOICES:
                continue
            name, language = _VOICES[tag]
            self._identifiers[name] = (spec.identifier or b"").decode()
            found[name] = Voice(
                id=f"espeak:{name}",
                name=name,
                engine=self.name,
                languages=(language,),
                gender={1: "male", 2: "female"}.get(spec.gender),
                description=(spec.name or b"").decode(),
            )
        return [found[name] for name in sorted(found)]
