"""A small PNG decoder (8-bit RGB/RGBA, not interlaced: what Chromium writes), so a test
can look at a screenshot's pixels without an imaging library in the dependencies.

Rows filtered None, Sub and Up are undone with numpy; Average and Paeth depend on the
pixel to the left, so those rows are undone byte by byte (seconds for a large image;
Chromium's fast screenshots use Up only).
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {2: 3, 6: 4}  # colour type -> bytes per pixel at 8 bits


def _unfilter_sequential(kind: int, line: bytes, up: bytes, bpp: int) -> bytes:
    row = bytearray(line)
    for i in range(len(row)):
        left = row[i - bpp] if i >= bpp else 0
        above = up[i]
        if kind == 3:
            predictor = (left + above) >> 1
        else:
            upper_left = up[i - bpp] if i >= bpp else 0
            estimate = left + above - upper_left
            distances = (abs(estimate - left), abs(estimate - above), abs(estimate - upper_left))
            predictor = (
                left
                if distances[0] <= distances[1] and distances[0] <= distances[2]
                else (above if distances[1] <= distances[2] else upper_left)
            )
        row[i] = (row[i] + predictor) & 0xFF
    return bytes(row)


def decode_png(data: bytes) -> np.ndarray:
    """Pixels as an array of shape (height, width, channels)."""
    if not data.startswith(_SIGNATURE):
        raise ValueError("not a PNG file")
    position, chunks = len(_SIGNATURE), []
    header = None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
    if header is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in _CHANNELS or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    bpp = _CHANNELS[colour]
    stride = width * bpp
    raw = zlib.decompress(b"".join(chunks))
    pixels = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=start + 1)
        if kind == 0:
            row = line
        elif kind == 1:
            row = np.cumsum(line.reshape(-1, bpp), axis=0, dtype=np.uint8).reshape(-1)
        elif kind == 2:
            row = line + previous
        else:
            row = np.frombuffer(_unfilter_sequential(kind, line.tobytes(), previous.tobytes(), bpp), dtype=np.uint8)
        pixels[y] = row
        previous = pixels[y]
    return pixels.reshape(height, width, bpp)
