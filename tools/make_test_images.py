#!/usr/bin/python3
"""Writes the real-photo model inputs of tests/nn/tflite_real_image_test.cpp into tests/data/.

    /usr/bin/python3 tools/make_test_images.py      (needs Debian's python3-skimage, python3-pil)

Sources: scikit-image's sample photos (licences in tests/data/README.md). Each output is a uint8
.npy, [H][W][3] RGB, already cropped and resized (PIL bilinear) to the model's input size; the
test only normalizes it.
"""
import os

import numpy as np
from PIL import Image
from skimage import data

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "data")

# name: (photo, crop box (left, top, right, bottom) in source pixels, output size in pixels)
CROPS = {
    "astronaut_face_192": ("astronaut", (130, 20, 320, 210), 192),  # face_landmark.tflite
    "astronaut_128": ("astronaut", (0, 0, 512, 512), 128),  # face_detection_short_range.tflite
    "coffee_cup_224": ("coffee", (140, 20, 440, 320), 224),  # object_detection_3d_*.tflite
    "coffee_300": ("coffee", (0, 0, 600, 400), 300),  # SSD (whole photo, squeezed like MediaPipe)
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (photo, box, size) in CROPS.items():
        image = Image.fromarray(getattr(data, photo)()).crop(box).resize((size, size), Image.BILINEAR)
        np.save(os.path.join(OUT, name + ".npy"), np.asarray(image, dtype=np.uint8))
        print(f"{name}.npy: {photo} {box} -> {size}x{size}")


if __name__ == "__main__":
    main()
