"""MP4 boxes, read and rewritten where ffmpeg's layout trips players: the chapter track.

(:func:`interleave_chapters` is what the M4B writer uses; :func:`one_sample_per_chunk`
is its fallback for a file of another shape.)

ffmpeg stores the QuickTime chapter track (a text track the audio track's
``tref/chap`` points at) as one chunk holding every title. The format allows
that, but readers that take each chunk's offset as a sample's (music-metadata,
used by several players and library servers) fail on it, so narrate rewrites
that track's sample-to-chunk table (``stsc``) and chunk offsets (``stco``) to one
sample per chunk. The samples stay where they are; only ``moov`` grows, and
when it sits before ``mdat`` (``+faststart``) every chunk offset in the file moves
by as much.
"""

from __future__ import annotations

import os
import shutil
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

# Boxes whose payload is only other boxes, on the way from moov to the sample tables.
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta"}
_FULL_CONTAINERS = {b"meta"}  # a version and flags, then boxes
_OFFSETS = (b"stco", b"co64")


@dataclass
class Box:
    kind: bytes
    payload: bytes = b""  # a leaf's bytes after its header; a full container's version, flags
    children: list[Box] | None = None  # a container's boxes, in order

    def child(self, kind: bytes) -> Box | None:
        return next((c for c in self.children or [] if c.kind == kind), None)

    def walk(self) -> Iterator[Box]:
        yield self
        for c in self.children or []:
            yield from c.walk()

    def to_bytes(self) -> bytes:
        body = self.payload
        if self.children is not None:
            body += b"".join(c.to_bytes() for c in self.children)
        if len(body) + 8 <= 0xFFFFFFFF:
            return struct.pack(">I4s", len(body) + 8, self.kind) + body
        return struct.pack(">I4sQ", 1, self.kind, len(body) + 16) + body


def _headers(
    data: bytes, start: int = 0, end: int | None = None
) -> Iterator[tuple[bytes, int, int]]:
    """(kind, offset of its payload, end) of each box in ``data[start:end]``."""
    end = len(data) if end is None else end
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        head = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            head = 16
        elif size == 0:
            size = end - pos
        if size < head or pos + size > end:
            raise ValueError(f"MP4 box {kind!r} at {pos} runs past its parent")
        yield kind, pos + head, pos + size
        pos += size


def parse(data: bytes, start: int = 0, end: int | None = None) -> list[Box]:
    boxes = []
    for kind, body, stop in _headers(data, start, end):
        if kind in _CONTAINERS:
            boxes.append(Box(kind, children=parse(data, body, stop)))
        elif kind in _FULL_CONTAINERS:
            boxes.append(Box(kind, data[body : body + 4], parse(data, body + 4, stop)))
        else:
            boxes.append(Box(kind, data[body:stop]))
    return boxes


def top_level(path: Path) -> list[tuple[bytes, int, int]]:
    """(kind, start, end) of each top-level box of the file, read header by header."""
    found = []
    size = path.stat().st_size
    with path.open("rb") as f:
        pos = 0
        while pos + 8 <= size:
            f.seek(pos)
            head = f.read(16)
            length, kind = struct.unpack_from(">I4s", head)
            if length == 1:
                (length,) = struct.unpack_from(">Q", head, 8)
            elif length == 0:
                length = size - pos
            if length < 8:
                raise ValueError(f"{path}: MP4 box {kind!r} at {pos} is damaged")
            found.append((kind, pos, pos + length))
            pos += length
    return found


def read_box(path: Path, kind: bytes) -> bytes:
    """The whole top-level box ``kind`` of the file (header included)."""
    for found, start, end in top_level(path):
        if found == kind:
            with path.open("rb") as f:
                f.seek(start)
                return f.read(end - start)
    raise ValueError(f"{path}: no {kind.decode()} box")


def major_brand(path: Path) -> str:
    """The ftyp box's major brand, e.g. "M4B "."""
    return read_box(path, b"ftyp")[8:12].decode("latin-1")


# ---------------------------------------------------------------- sample tables


def handler(trak: Box) -> bytes:
    mdia = trak.child(b"mdia")
    hdlr = mdia.child(b"hdlr") if mdia else None
    return hdlr.payload[8:12] if hdlr else b""


def sample_table(trak: Box) -> Box:
    stbl = trak.child(b"mdia")
    for kind in (b"minf", b"stbl"):
        stbl = stbl.child(kind) if stbl else None
    if stbl is None:
        raise ValueError("an MP4 track without a sample table")
    return stbl


def chunk_runs(stbl: Box) -> list[tuple[int, int, int]]:
    """The stsc entries: (first chunk, samples per chunk, sample description index)."""
    stsc = stbl.child(b"stsc")
    assert stsc is not None
    (count,) = struct.unpack_from(">I", stsc.payload, 4)
    return [struct.unpack_from(">III", stsc.payload, 8 + 12 * i) for i in range(count)]


def chunk_offsets(stbl: Box) -> list[int]:
    table = stbl.child(b"stco") or stbl.child(b"co64")
    assert table is not None
    (count,) = struct.unpack_from(">I", table.payload, 4)
    width = "Q" if table.kind == b"co64" else "I"
    return list(struct.unpack_from(f">{count}{width}", table.payload, 8))


def sample_sizes(stbl: Box) -> list[int]:
    stsz = stbl.child(b"stsz")
    assert stsz is not None
    uniform, count = struct.unpack_from(">II", stsz.payload, 4)
    if uniform:
        return [uniform] * count
    return list(struct.unpack_from(f">{count}I", stsz.payload, 12))


def sample_offsets(stbl: Box) -> list[int]:
    """Where each sample of the track starts in the file."""
    runs, chunks, sizes = chunk_runs(stbl), chunk_offsets(stbl), sample_sizes(stbl)
    offsets: list[int] = []
    for n, (first, per_chunk, _) in enumerate(runs):
        last = runs[n + 1][0] - 1 if n + 1 < len(runs) else len(chunks)
        for chunk in range(first, last + 1):
            pos = chunks[chunk - 1]
            for _ in range(per_chunk):
                if len(offsets) == len(sizes):
                    break
                offsets.append(pos)
                pos += sizes[len(offsets) - 1]
    return offsets


def _set_offsets(stbl: Box, offsets: list[int]) -> None:
    wide = any(o > 0xFFFFFFFF for o in offsets) or stbl.child(b"co64") is not None
    kind = b"co64" if wide else b"stco"
    table = Box(
        kind, struct.pack(f">II{len(offsets)}{'Q' if wide else 'I'}", 0, len(offsets), *offsets)
    )
    assert stbl.children is not None
    stbl.children = [table if c.kind in _OFFSETS else c for c in stbl.children]


def _traks(moov: Box) -> list[Box]:
    return [c for c in moov.children or [] if c.kind == b"trak"]


def one_sample_per_chunk(path: Path) -> None:
    """Rewrite the file's text (chapter) tracks so that each sample is a chunk of its own."""
    boxes = top_level(path)
    moov_at = next(((s, e) for k, s, e in boxes if k == b"moov"), None)
    mdat_at = next((s for k, s, _ in boxes if k == b"mdat"), None)
    if moov_at is None:
        raise ValueError(f"{path}: no moov box")
    raw = read_box(path, b"moov")
    (moov,) = parse(raw)
    tables = [sample_table(t) for t in _traks(moov)]
    texts = {
        n: sample_offsets(stbl)
        for n, (trak, stbl) in enumerate(zip(_traks(moov), tables, strict=True))
        if handler(trak) == b"text" and any(run[1] != 1 for run in chunk_runs(stbl))
    }
    if not texts:
        return
    # Chunk offsets point into mdat: they move only if moov, which grows, comes first.
    moves = mdat_at is not None and moov_at[0] < mdat_at
    chunks = [chunk_offsets(stbl) for stbl in tables]
    delta = 0
    for _ in range(3):  # a switch to 64-bit offsets can grow moov once more; then it is settled
        (moov,) = parse(raw)
        for n, stbl in enumerate(sample_table(t) for t in _traks(moov)):
            if n in texts:
                description = chunk_runs(stbl)[0][2]
                stsc = Box(b"stsc", struct.pack(">IIIII", 0, 1, 1, 1, description))
                assert stbl.children is not None
                stbl.children = [stsc if c.kind == b"stsc" else c for c in stbl.children]
                _set_offsets(stbl, [o + delta for o in texts[n]])
            else:
                _set_offsets(stbl, [o + delta for o in chunks[n]])
        data = moov.to_bytes()
        grown = len(data) - len(raw) if moves else 0
        if grown == delta:
            break
        delta = grown
    _replace_range(path, moov_at, data)


def _replace_range(path: Path, span: tuple[int, int], data: bytes) -> None:
    """Rewrite ``path`` with ``data`` in place of the bytes in ``span``, atomically."""
    tmp = path.with_name(path.name + ".box.part")
    try:
        with path.open("rb") as src, tmp.open("xb") as out:
            shutil.copyfileobj(_limited(src, span[0]), out)
            out.write(data)
            src.seek(span[1])
            shutil.copyfileobj(src, out, 1 << 20)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class _limited:
    """A file read up to ``size`` bytes, for copyfileobj."""

    def __init__(self, f: object, size: int) -> None:
        self.f, self.left = f, size

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        n = self.left if n < 0 else min(n, self.left)
        chunk = self.f.read(n)  # type: ignore[attr-defined]
        self.left -= len(chunk)
        return chunk


# ---------------------------------------------------------------- chapters by file position


def _make_room(moov: Box, room: int) -> None:
    """Free space after the tags (moov/udta/meta/ilst), where mutagen writes them in place."""
    udta = moov.child(b"udta")
    meta = udta.child(b"meta") if udta else None
    if meta is None or meta.children is None or meta.child(b"ilst") is None or room <= 0:
        return
    meta.children = [c for c in meta.children if c.kind != b"free"] + [Box(b"free", bytes(room))]


def interleave_chapters(path: Path, frames: Sequence[int], room: int = 0) -> None:
    """Lay the file out as readers that time chapters by file position expect.

    music-metadata (and players built on it) put a chapter where its title's
    sample lies among the audio chunks: at the audio of the chunks before it.
    So ``mdat`` is rewritten as each chapter's title, then that chapter's audio
    (``frames[k]`` samples) as one chunk, and ``moov`` (before ``mdat``) says so:
    the chapter track gets one sample per chunk. A file whose tracks are not
    one audio and one chapter track, ``frames`` long, only gets the latter.
    ``room`` bytes are left free beside the tags, so that writing them (the
    cover) does not move the audio again.
    """
    (moov,) = parse(read_box(path, b"moov"))
    traks = _traks(moov)
    kinds = [handler(t) for t in traks]
    if sorted(kinds) != [b"soun", b"text"]:
        one_sample_per_chunk(path)
        return
    audio = sample_table(traks[kinds.index(b"soun")])
    text = sample_table(traks[kinds.index(b"text")])
    sizes, titles = sample_sizes(audio), sample_sizes(text)
    if sum(frames) != len(sizes) or len(titles) != len(frames):
        one_sample_per_chunk(path)
        return
    starts, title_at = sample_offsets(audio), sample_offsets(text)
    pieces: list[tuple[int, int]] = []  # (where in the old file, how long), in the new order
    title_pos, chunk_pos, pos, first = [], [], 0, 0
    for k, count in enumerate(frames):
        title_pos.append(pos)
        pieces.append((title_at[k], titles[k]))
        pos += titles[k]
        chunk_pos.append(pos)
        for i in range(first, first + count):
            pieces.append((starts[i], sizes[i]))
            pos += sizes[i]
        first += count
    runs: list[tuple[int, int]] = []  # (first chunk, samples per chunk)
    for k, count in enumerate(frames):
        if not runs or runs[-1][1] != count:
            runs.append((k + 1, count))
    _set_runs(audio, runs)
    _set_runs(text, [(1, 1)])
    _make_room(moov, room)
    ftyp = read_box(path, b"ftyp")
    mdat_head = struct.pack(">I4s", pos + 8, b"mdat") if pos + 8 <= 0xFFFFFFFF else None
    if mdat_head is None:
        mdat_head = struct.pack(">I4sQ", 1, b"mdat", pos + 16)
    base = 0
    for _ in range(3):  # 64-bit offsets may grow moov once; then the layout is settled
        _set_offsets(audio, [base + p for p in chunk_pos])
        _set_offsets(text, [base + p for p in title_pos])
        data = moov.to_bytes()
        if base == len(ftyp) + len(data) + len(mdat_head):
            break
        base = len(ftyp) + len(data) + len(mdat_head)
    tmp = path.with_name(path.name + ".box.part")
    try:
        with path.open("rb") as src, tmp.open("xb") as out:
            out.write(ftyp + data + mdat_head)
            for start, length in _coalesced(pieces):
                src.seek(start)
                shutil.copyfileobj(_limited(src, length), out, 1 << 20)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _set_runs(stbl: Box, runs: list[tuple[int, int]]) -> None:
    description = chunk_runs(stbl)[0][2]
    entries = [value for first, count in runs for value in (first, count, description)]
    stsc = Box(b"stsc", struct.pack(f">II{len(entries)}I", 0, len(runs), *entries))
    assert stbl.children is not None
    stbl.children = [stsc if c.kind == b"stsc" else c for c in stbl.children]


def _coalesced(pieces: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Byte ranges, neighbours joined, so the copy reads few large pieces."""
    start, length = pieces[0]
    for at, size in pieces[1:]:
        if at == start + length:
            length += size
        else:
            yield start, length
            start, length = at, size
    yield start, length
