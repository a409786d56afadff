import math
import struct

from conftest import RATE, decode

from narrate.render import mp3
from narrate.tts import PcmChunk


def tone(seconds: float, freq: float = 440.0) -> PcmChunk:
    n = int(RATE * seconds)
    return PcmChunk(
        struct.pack(
            f"<{n}h", *(int(8000 * math.sin(2 * math.pi * freq * i / RATE)) for i in range(n))
        ),
        RATE,
    )


def test_block_decodes_to_its_counted_samples(tmp_path):
    block = mp3.encode(tone(1.0))
    path = tmp_path / "b.mp3"
    path.write_bytes(block.data)
    pcm, errors = decode(path)
    assert errors == ""
    assert len(pcm) // 2 == block.samples == block.frames * 576
    # The encoder adds its delay and padding, never more than a few frames.
    assert RATE <= block.samples <= RATE + 4 * 576


def test_concatenated_blocks_decode_to_the_sum(tmp_path):
    blocks = [mp3.encode(tone(0.5, f)) for f in (300, 500, 700)] + [
        mp3.silence(400, sample_rate=RATE)
    ]
    path = tmp_path / "joined.mp3"
    path.write_bytes(b"".join(b.data for b in blocks))
    pcm, errors = decode(path)
    assert errors == ""
    assert len(pcm) // 2 == sum(b.samples for b in blocks)


def test_silence_is_close_to_its_length():
    for ms in (250, 600, 2000):
        block = mp3.silence(ms, sample_rate=RATE)
        assert abs(block.samples / RATE * 1000 - ms) < 60


def test_scan_rejects_damage():
    import pytest

    from narrate.errors import EngineError

    data = mp3.encode(tone(0.2)).data
    with pytest.raises(EngineError):
        mp3.scan_frames(data[:-7])
    with pytest.raises(EngineError):
        mp3.scan_frames(b"\x00" * 10 + data)


def test_a_cached_block_reads_back_from_its_tag():
    for seconds in (0.05, 0.3, 1.7, 12.0):
        for bitrate in (32, 64, 128):
            block = mp3.encode(tone(seconds), bitrate)
            assert mp3.read_block(block.tagged()) == block
            assert block.samples == mp3.scan_frames(block.data)[1]
            # Delay + input + padding fill the frames exactly.
            assert block.delay + int(RATE * seconds) + block.padding == block.samples


def test_a_damaged_cached_block_is_refused():
    import pytest

    from narrate.errors import EngineError

    tagged = mp3.encode(tone(0.3)).tagged()
    for damaged in (tagged[:-5], tagged[1:], mp3.encode(tone(0.3)).data):
        with pytest.raises(EngineError, match="damaged"):
            mp3.read_block(damaged)
