"""Decode rate of the EPC codec in one process, on a mixed corpus like a warehouse's reads.

The corpus is built once, deterministically from a seed, by encoding tag URIs: mostly
SGTIN-96 (items) and SSCC-96 (cartons), some GRAI-96, SGLN-96, GIAI-96, SGTIN-198,
GDTI-96 and GID-96, and about 1% of reads that do not decode (unprogrammed tags, TID banks
read as EPC), as readers really report. Each repeat decodes the corpus round after round
for a fixed wall-clock time; the figure is the median rate over the repeats. Building the
corpus is not timed. Wall-clock limits live here, never in the tests.
"""

from __future__ import annotations

import random
import statistics
import time

from epc import EpcError, decode_hex, encode_uri

# (share of reads, kind of read)
_MIX = (
    (0.70, "sgtin-96"),
    (0.15, "sscc-96"),
    (0.04, "grai-96"),
    (0.03, "sgln-96"),
    (0.02, "giai-96"),
    (0.02, "sgtin-198"),
    (0.01, "gdti-96"),
    (0.02, "gid-96"),
    (0.01, "undecodable"),
)


def _company(rng: random.Random) -> str:
    digits = rng.choice((7, 7, 8, 9, 6, 10))
    return f"{rng.randrange(10**digits):0{digits}d}"


def _digits(rng: random.Random, count: int) -> str:
    return f"{rng.randrange(10**count):0{count}d}" if count else ""


def _read(rng: random.Random, kind: str) -> str:
    """One read's hex: a tag URI of the kind, encoded; or a read that will not decode."""
    f = rng.randrange(8)
    cp = _company(rng)
    if kind == "sgtin-96":
        uri = f"urn:epc:tag:sgtin-96:{f}.{cp}.{_digits(rng, 13 - len(cp))}.{rng.randrange(1 << 38)}"
    elif kind == "sscc-96":
        uri = f"urn:epc:tag:sscc-96:{f}.{cp}.{_digits(rng, 17 - len(cp))}"
    elif kind == "grai-96":
        uri = f"urn:epc:tag:grai-96:{f}.{cp}.{_digits(rng, 12 - len(cp))}.{rng.randrange(10**9)}"
    elif kind == "sgln-96":
        uri = f"urn:epc:tag:sgln-96:{f}.{cp}.{_digits(rng, 12 - len(cp))}.{rng.randrange(1000)}"
    elif kind == "giai-96":
        uri = f"urn:epc:tag:giai-96:{f}.{cp}.{rng.randrange(10**10)}"
    elif kind == "sgtin-198":
        serial = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-") for _ in range(12))
        uri = f"urn:epc:tag:sgtin-198:{f}.{cp}.{_digits(rng, 13 - len(cp))}.{serial}"
    elif kind == "gdti-96":
        uri = f"urn:epc:tag:gdti-96:{f}.{cp}.{_digits(rng, 12 - len(cp))}.{rng.randrange(10**6)}"
    elif kind == "gid-96":
        manager, object_class = rng.randrange(1 << 28), rng.randrange(1 << 24)
        uri = f"urn:epc:tag:gid-96:{manager}.{object_class}.{rng.randrange(1 << 36)}"
    else:
        return rng.choice(("000000000000000000000000", f"E2801160{rng.randrange(1 << 64):016X}"))
    return encode_uri(uri)


def build_corpus(size: int, seed: int) -> list[str]:
    """`size` hex reads in the mix above, shuffled; the same for the same seed."""
    rng = random.Random(seed)
    kinds = [kind for _, kind in _MIX]
    weights = [share for share, _ in _MIX]
    return [_read(rng, kind) for kind in rng.choices(kinds, weights, k=size)]


def _one_repeat(corpus: list[str], seconds: float) -> float:
    decode = decode_hex
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for hex_text in corpus:
            # Undecodable reads are part of a real stream and cost their error. A bare
            # try/except, not contextlib.suppress: entering a context manager per read
            # would be timed too.
            try:  # noqa: SIM105
                decode(hex_text)
            except EpcError:
                pass
        done += len(corpus)
        now = time.perf_counter()
        if now >= deadline:
            return done / (now - start)


def run(seconds: float = 3.0, repeats: int = 5, corpus_size: int = 20_000, seed: int = 1) -> dict:
    """Decode the corpus for `seconds` per repeat; the median EPCs/s over `repeats`."""
    corpus = build_corpus(corpus_size, seed)
    rates = [_one_repeat(corpus, seconds) for _ in range(repeats)]
    return {
        "epcs_per_s": round(statistics.median(rates)),
        "repeats": repeats,
        "corpus_size": len(corpus),
        "seconds_per_repeat": seconds,
        "min_epcs_per_s": round(min(rates)),
        "max_epcs_per_s": round(max(rates)),
    }
