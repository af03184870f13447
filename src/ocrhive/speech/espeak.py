"""English text → RIFF WAV bytes with the ``espeak-ng`` program (formant synthesis), run as a
child process with a time limit; the text goes in on stdin, never through a shell."""

from __future__ import annotations

import struct
import subprocess

from ocrhive.errors import EngineFailure, TimeLimitExceeded

#: eSpeak NG's American English voice
VOICE = "en-us"
#: what this voice produces: mono 16-bit PCM at 22 050 Hz (44.1 kB per second of speech)
SAMPLE_RATE = 22050
#: how long one synthesis may take; eSpeak NG speaks ~1,000 times faster than real time here
#: (4,500 characters, 290 s of speech, in 0.25 s of CPU)
SECONDS = 60.0

_CHUNK = struct.Struct("<4sI")
_RIFF_HEADER = 12


def synthesise(text: str, *, voice: str = VOICE, seconds: float = SECONDS) -> bytes:
    """``text`` spoken by eSpeak NG as a complete WAV file.

    Raises:
        EngineFailure: eSpeak NG is missing or failed.
        TimeLimitExceeded: it took longer than ``seconds``.
    """
    try:
        done = subprocess.run(
            # -b 1: the input is UTF-8; --stdout: the WAV on stdout (its sizes are fixed below)
            ["espeak-ng", "-v", voice, "-b", "1", "--stdin", "--stdout"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TimeLimitExceeded(
            f"Speech synthesis exceeded its time limit of {seconds:g} s."
        ) from None
    except FileNotFoundError:
        raise EngineFailure(
            "Text to speech is not available on this server: espeak-ng is not installed "
            "(scripts/service-system-deps.sh installs it)."
        ) from None
    if done.returncode != 0 or not done.stdout.startswith(b"RIFF"):
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise EngineFailure("Speech synthesis failed" + (f": {detail[-1]}" if detail else "."))
    return with_sizes(done.stdout)


def with_sizes(wav: bytes) -> bytes:
    """``wav`` with its RIFF and data chunk sizes set from its length.

    A WAV written to a pipe cannot be rewound, so eSpeak NG leaves placeholder sizes in its
    header; players and Python's ``wave`` module then read past the end.

    Raises:
        EngineFailure: the bytes are not a RIFF WAVE file with a data chunk.
    """
    if len(wav) < _RIFF_HEADER or wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise EngineFailure("Speech synthesis produced no WAV audio.")
    out = bytearray(wav)
    struct.pack_into("<I", out, 4, len(out) - 8)
    offset = _RIFF_HEADER
    while offset + _CHUNK.size <= len(out):
        name, size = _CHUNK.unpack_from(out, offset)
        if name == b"data":
            struct.pack_into("<I", out, offset + 4, len(out) - offset - _CHUNK.size)
            return bytes(out)
        offset += _CHUNK.size + size + (size & 1)
    raise EngineFailure("Speech synthesis produced a WAV file without audio data.")
