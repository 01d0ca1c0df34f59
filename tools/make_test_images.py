#!/usr/bin/python3
"""Writes the real-photo model inputs of tests/nn/tflite_real_image_test.cpp into tests/data/, and
the full photos of the pack parity test (tests/e2e/pack_parity_test.cpp) into tests/data/photos/.

    /usr/bin/python3 tools/make_test_images.py      (needs Debian's python3-skimage, python3-pil)

Sources: scikit-image's sample photos (licences in tests/data/README.md). Each output is a uint8
.npy, [H][W][3] RGB, already cropped and resized (PIL bilinear) to the model's input size; the
test only normalizes it. The full photos are baseline JPEGs, quality 95, no chroma subsampling
(4:4:4, so decoders differ only in their IDCT rounding), each under 300 KB.
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

# Full photos for `meshrt reconstruct` and tools/mediapipe_reference.py: name -> (skimage.data
# photo, crop box (left, top, right, bottom) or None for the whole photo). chelsea (a cat) is the
# negative photo: no cup, mug, footwear, chair, camera or human face. astronaut_wide is the top
# 512×320 of astronaut, so that BlazeFace's letterbox has bars (astronaut itself is square).
PHOTOS = {"coffee": ("coffee", None), "astronaut": ("astronaut", None), "chelsea": ("chelsea", None),
          "astronaut_wide": ("astronaut", (0, 0, 512, 320))}
JPEG_QUALITY = 95


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (photo, box, size) in CROPS.items():
        image = Image.fromarray(getattr(data, photo)()).crop(box).resize((size, size), Image.BILINEAR)
        np.save(os.path.join(OUT, name + ".npy"), np.asarray(image, dtype=np.uint8))
        print(f"{name}.npy: {photo} {box} -> {size}x{size}")
    photos = os.path.join(OUT, "photos")
    os.makedirs(photos, exist_ok=True)
    for name, (photo, box) in PHOTOS.items():
        path = os.path.join(photos, name + ".jpg")
        image = Image.fromarray(getattr(data, photo)())
        (image.crop(box) if box else image).save(path + ".tmp", "JPEG", quality=JPEG_QUALITY, subsampling=0)
        os.replace(path + ".tmp", path)
        print(f"photos/{name}.jpg: {photo}, {os.path.getsize(path) // 1024} KB")


if __name__ == "__main__":
    main()
