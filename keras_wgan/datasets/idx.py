"""The IDX file format, in which MNIST (and its variants) is distributed.

An IDX file is a 4-byte magic number `0x0000TTDD` (`TT` the element type,
`DD` the number of dimensions), `DD` big-endian uint32 dimensions, then the
elements in C order, big-endian. Files are often gzip-compressed.
"""

import gzip
import math
import os

import numpy as np

# IDX type codes (third magic byte) -> big-endian NumPy dtypes.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path):
    """Reads an IDX file (the format MNIST is distributed in).

    The file may be gzip-compressed or not; compression is detected from the
    file's first bytes, not from its name.

    Args:
        path: path of the IDX file, e.g. `"train-images-idx3-ubyte.gz"`.

    Returns:
        A NumPy array in native byte order whose shape is the dimensions
        stored in the file, e.g. `(60000, 28, 28)` of `uint8` for MNIST
        training images.

    Raises:
        FileNotFoundError: if `path` does not exist.
        ValueError: if the file is not a valid IDX file (bad magic number,
            unknown type code, or a size that does not match its header).

    Example:

    ```python
    labels = read_idx("t10k-labels-idx1-ubyte.gz")
    assert labels.shape == (10000,) and labels.dtype == "uint8"
    ```
    """
    path = os.fspath(path)
    with open(path, "rb") as file:
        compressed = file.read(2) == _GZIP_MAGIC
    opener = gzip.open if compressed else open
    try:
        with opener(path, "rb") as file:
            raw = file.read()
    except (OSError, EOFError) as error:
        # A truncated or corrupt .gz file; gzip.BadGzipFile is an OSError.
        raise ValueError(f"Could not read IDX file {path}: {error}") from error

    if len(raw) < 4:
        raise ValueError(
            f"{path} is not an IDX file: it holds only {len(raw)} bytes, fewer than the 4-byte magic number."
        )
    type_code, ndim = raw[2], raw[3]
    if raw[:2] != b"\x00\x00" or type_code not in _IDX_DTYPES or ndim == 0:
        magic = int.from_bytes(raw[:4], "big")
        raise ValueError(
            f"{path} is not an IDX file: bad magic number 0x{magic:08X}. "
            "Expected 0x0000TTDD with a type code TT in "
            "{08, 09, 0B, 0C, 0D, 0E} and DD >= 1 dimensions "
            "(MNIST images: 0x00000803, labels: 0x00000801)."
        )
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(
            f"IDX file {path} is truncated: its magic number announces "
            f"{ndim} dimensions but the header is cut short."
        )
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_DTYPES[type_code]
    expected_bytes = math.prod(shape) * dtype.itemsize
    actual_bytes = len(raw) - header_size
    if actual_bytes != expected_bytes:
        raise ValueError(
            f"IDX file {path} is corrupt or truncated: its header gives "
            f"dimensions {shape} ({expected_bytes} bytes of data) but it "
            f"holds {actual_bytes} bytes of data."
        )
    array = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    # `astype` copies, which also makes the array writable (frombuffer over
    # `bytes` is read-only).
    return array.astype(dtype.newbyteorder("="))
