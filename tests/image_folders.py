"""Image folders for the tests, drawn with NumPy: coloured shapes on plain grounds."""

import os

import numpy as np
from PIL import Image

FORMATS = ("png", "jpg", "bmp", "gif")


def shape_image(rng, height, width):
    """A filled disc or square of one random colour on a ground of another."""
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[:] = rng.integers(0, 256, size=3)
    rows, cols = np.mgrid[:height, :width]
    cy, cx = rng.uniform(0.3, 0.7) * height, rng.uniform(0.3, 0.7) * width
    radius = rng.uniform(0.15, 0.3) * min(height, width)
    if rng.random() < 0.5:
        inside = (rows - cy) ** 2 + (cols - cx) ** 2 < radius**2
    else:
        inside = (abs(rows - cy) < radius) & (abs(cols - cx) < radius)
    image[inside] = rng.integers(0, 256, size=3)
    return image


def make_shapes_folder(root, count=24, *, size=(48, 40), seed=0, formats=FORMATS):
    """Writes `count` images, cycling through `formats`, into nested folders.

    Images are `size = (height, width)` (not square, so that the centre crop
    matters) and go to `root/`, `root/a/` and `root/a/b/` in turn. Returns
    the paths written, sorted.
    """
    rng = np.random.default_rng(seed)
    folders = [root, os.path.join(root, "a"), os.path.join(root, "a", "b")]
    for folder in folders:
        os.makedirs(folder, exist_ok=True)
    paths = []
    for index in range(count):
        fmt = formats[index % len(formats)]
        path = os.path.join(folders[index % len(folders)], f"shape_{index:03d}.{fmt}")
        Image.fromarray(shape_image(rng, *size)).save(path)
        paths.append(path)
    return sorted(paths)


def add_broken_files(root):
    """Adds a truncated JPEG, a text file named `.jpg` and a non-image file.

    Returns the two broken image paths (the `.txt` file is not an image file
    by its name and must be ignored silently).
    """
    os.makedirs(os.path.join(root, "a"), exist_ok=True)
    truncated = os.path.join(root, "a", "truncated.jpg")
    Image.fromarray(shape_image(np.random.default_rng(99), 48, 48)).save(truncated)
    with open(truncated, "rb") as file:
        data = file.read()
    with open(truncated, "wb") as file:
        file.write(data[: len(data) // 2])
    text = os.path.join(root, "not_an_image.jpg")
    with open(text, "w") as file:
        file.write("<html>this was a web page</html>\n")
    with open(os.path.join(root, "notes.txt"), "w") as file:
        file.write("not an image file\n")
    return sorted([truncated, text])
