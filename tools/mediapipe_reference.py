#!/usr/bin/python3
"""An independent reference of the MediaPipe packs' single-image pipelines (issue 8, item 3),
written from docs/PACKS.md, the preprocess contract (runtime/stages/preprocess.h,
shaders/include/preprocess_params.h) and MediaPipe's published graph constants; none of
meshrt's C++ is used or transcribed.

    /usr/bin/python3 tools/mediapipe_reference.py goldens     (tests/goldens/packs/*.json)
    /usr/bin/python3 tools/mediapipe_reference.py run PACK IMAGE   (prints the result as JSON)
    /usr/bin/python3 tools/mediapipe_reference.py check   (recomputes the goldens, compares;
                                                           exit 77 = skipped: no torch or models)

Pipeline per pack (objectron-* and face):
  1. the photo (tests/data/photos/, decoded by PIL: load_image) → detector input: bilinear at
     pixel centres, `stretch_frame` (Objectron SSD, 300×300, v/127.5 − 1) or `letterbox_zero` (BlazeFace,
     128×128, v/127.5 − 1, zero bars);
  2. detector (TFLite → torch ops, tools/tflite_torch.py) → anchors, box decode, sigmoid, score
     threshold, NMS (greedy for the SSD, weighted for BlazeFace), label filter;
  3. per detection: crop = box centre, box × crop.scale, square on the longer side, rotated so
     that keypoint rotation_from → rotation_to points along the crop's x axis (face: eyes);
  4. landmark model on that crop (`letterbox_replicate`, v/255), keypoints (landmark-input
     pixels) mapped back through the crop's affine to image pixels; presence threshold.
Coordinates: image pixels, x right, y down, pixel (i, j) centred at (i + 0.5, j + 0.5)
(DESIGN §5). Arithmetic in float64 except the torch models (float32).

Pack constants (input sizes, normalization, crop modes, labels, thresholds, crop scale and
rotation keypoints) come from assets/pack_sources/<pack>/pack.json (or assets/packs/<pack>/), else
from the installed pack (${MESHRT_CACHE}/packs/<pack>/pack.json); the anchor and box-decoding
constants, which pack.json does not carry, from MediaPipe's graphs (cited below).
Models come from ${MESHRT_CACHE:-~/.cache/meshrt}/models/.
"""
import argparse
import json
import math
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import torch
    from tflite_torch import TfliteTorch, check_tflite_torch
except ImportError as missing:  # `check` reports a skip; the other commands fail
    torch, TORCH_MISSING = None, missing

REPO = Path(__file__).resolve().parent.parent
PHOTOS = REPO / "tests" / "data" / "photos"
GOLDENS = REPO / "tests" / "goldens" / "packs"
SKIPPED = 77  # ctest SKIP_RETURN_CODE
CHECK_TOLERANCE_PX = 1e-3  # recomputed vs committed keypoints (JSON keeps 4 decimals)

# (pack, photo) pairs with a golden: the positive cases, the cross-category cases on coffee, and
# every pack on the negative photo (chelsea, a cat). astronaut_wide (512×320): BlazeFace's
# letterbox with bars.
GOLDEN_CASES = [("objectron-cup", "coffee"), ("face", "astronaut"), ("face", "astronaut_wide"),
                ("objectron-chair", "coffee"), ("objectron-sneakers", "coffee"), ("objectron-camera", "coffee"),
                ("objectron-cup", "chelsea"), ("objectron-chair", "chelsea"), ("objectron-sneakers", "chelsea"),
                ("objectron-camera", "chelsea"), ("face", "chelsea")]

def load_pack(name):
    """The pack's pack.json: the committed sources, else the installed pack in the cache.
    Returns (pack dict, where it came from)."""
    for folder in ("pack_sources", "packs"):
        path = REPO / "assets" / folder / name / "pack.json"
        if path.is_file():
            return json.loads(path.read_text()), str(path.relative_to(REPO))
    installed = models_dir().parent / "packs" / name / "pack.json"
    if installed.is_file():
        return json.loads(installed.read_text()), f"installed {name}/pack.json"
    sys.exit(f"mediapipe_reference.py: {name}: no pack.json in assets/pack_sources/ or {installed.parent.parent}")


def models_dir():
    cache = os.environ.get("MESHRT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "meshrt")
    return Path(cache) / "models"


def load_image(path):
    """H×W×3 uint8 RGB, decoded by PIL (Debian's python3-pil reads JPEG with libjpeg-turbo, the
    library meshrt's readImage uses for JPEG through turbojpeg). JPEG decoders differ in their IDCT
    and colour-conversion rounding: stb_image differs from libjpeg-turbo by up to 2 levels on
    1.4 % of the values of coffee.jpg, which alone moves the cup keypoints by 1.44 px (the
    detector score sits near its threshold and the crop follows the box). The parity is about the
    pipelines, so both sides must decode to the same pixels."""
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


# ---------------------------------------------------------------------------------------------
# Preprocess: crop rectangle → affine (output position → source position) → bilinear → normalize


def crop_affine(crop, out_width, out_height, letterbox):
    """2×3 matrix M with src = M · (ox, oy, 1), both continuous pixel coordinates (origin at the
    top-left corner). crop = (cx, cy, w, h, rotation): centre and size in source pixels, rotation
    in radians, positive = the rectangle's x axis turned toward +y (clockwise on screen).
    letterbox: the crop keeps its aspect ratio and is centred in the output; the output then
    covers a rectangle larger than the crop along one axis (what lies there is sampled)."""
    cx, cy, w, h, rotation = crop
    if letterbox:
        scale = min(out_width / w, out_height / h)  # output pixels per source pixel
        w, h = out_width / scale, out_height / scale
    cos, sin = math.cos(rotation), math.sin(rotation)
    # Local (u, v) = (ox / W − 1/2) · w, (oy / H − 1/2) · h; src = centre + R(rotation) · (u, v).
    a, b = cos * w / out_width, -sin * h / out_height
    d, e = sin * w / out_width, cos * h / out_height
    c = cx - 0.5 * (cos * w - sin * h)
    f = cy - 0.5 * (sin * w + cos * h)
    return np.array([[a, b, c], [d, e, f]], dtype=np.float64)


def apply_affine(matrix, points):
    """points: N×2 → N×2 through the 2×3 affine."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return points @ matrix[:, :2].T + matrix[:, 2]


def sample_bilinear(image, matrix, out_width, out_height, border):
    """image: H×W×3 uint8. Output pixel (i, j) reads the source at M · (i + 0.5, j + 0.5): the
    four pixels around it (pixel k's centre at k + 0.5) weighted bilinearly. border 'zero': a tap
    outside the frame reads 0; 'replicate': it reads the nearest edge pixel. Returns H×W×3 float64
    byte values."""
    height, width = image.shape[:2]
    ox, oy = np.meshgrid(np.arange(out_width) + 0.5, np.arange(out_height) + 0.5)
    sx = matrix[0, 0] * ox + matrix[0, 1] * oy + matrix[0, 2] - 0.5  # in pixel-index units
    sy = matrix[1, 0] * ox + matrix[1, 1] * oy + matrix[1, 2] - 0.5
    x0, y0 = np.floor(sx), np.floor(sy)
    fx, fy = (sx - x0)[..., None], (sy - y0)[..., None]
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    source = image.astype(np.float64)

    def tap(xs, ys):
        inside = (xs >= 0) & (xs < width) & (ys >= 0) & (ys < height)
        values = source[np.clip(ys, 0, height - 1), np.clip(xs, 0, width - 1)]
        if border == "zero":
            values = values * inside[..., None]
        return values

    top = tap(x0, y0) * (1 - fx) + tap(x0 + 1, y0) * fx
    bottom = tap(x0, y0 + 1) * (1 - fx) + tap(x0 + 1, y0 + 1) * fx
    return top * (1 - fy) + bottom * fy


def normalize(values, mode):
    if mode == "zero_to_one":
        return values / 255.0
    if mode == "minus_one_to_one":
        return values / 127.5 - 1.0
    raise ValueError(f"normalization {mode!r} not supported")


def model_input(image, crop, model_spec):
    """The NCHW float32 tensor for a model (pack.json models.<role>) on `crop` and the affine
    from its input pixels to image pixels."""
    spec = model_spec["input"]
    width, height = spec["width"], spec["height"]
    letterbox = spec["crop"] in ("letterbox_zero", "letterbox_replicate")
    border = "zero" if spec["crop"] == "letterbox_zero" else "replicate"
    matrix = crop_affine(crop, width, height, letterbox)
    values = normalize(sample_bilinear(image, matrix, width, height, border), spec["normalization"])
    tensor = torch.from_numpy(values.transpose(2, 0, 1)[None].astype(np.float32).copy())
    return tensor, matrix


# ---------------------------------------------------------------------------------------------
# Models


_MODELS = {}


def load_model(file_name):
    """TfliteTorch of a cached model, checked once against tests/goldens/tflite."""
    if file_name not in _MODELS:
        path = models_dir() / file_name
        if not path.is_file():
            sys.exit(f"mediapipe_reference.py: {path}: model missing (run ./meshrt.sh fetch)")
        model = TfliteTorch(str(path))
        check_tflite_torch(model, str(path))
        _MODELS[file_name] = model
    return _MODELS[file_name]


def run_model(file_name, tensor):
    """{output tensor name: float64 array} of the model on one NCHW input."""
    model = load_model(file_name)
    with torch.inference_mode():
        results = model(tensor)
    named = {}
    for index, result in zip(model.outputs, results):
        value = result.permute(0, 2, 3, 1) if result.dim() == 4 else result
        named[model.tensors[index]["name"]] = value.numpy().astype(np.float64)
    return named


# ---------------------------------------------------------------------------------------------
# SSD anchors and decoding (MediaPipe's SsdAnchorsCalculator / TensorsToDetectionsCalculator
# semantics, constants in docs/SOLVERS.md "Detector decoding")


def ssd_anchors(input_size, min_scale, max_scale, strides, aspect_ratios, reduce_lowest, fixed_size,
                offset=0.5, interpolated_ratio=1.0):
    """Anchors (N×4: x centre, y centre, w, h; normalized). Layers with equal strides share one
    feature map of ceil(input / stride) cells; per cell the anchors of those layers interleave."""
    layers = len(strides)

    def scale_of(i):
        return (min_scale + max_scale) / 2 if layers == 1 else min_scale + (max_scale - min_scale) * i / (layers - 1)

    anchors = []
    layer = 0
    while layer < layers:
        shapes = []  # (w, h) per anchor of one cell
        last = layer
        while last < layers and strides[last] == strides[layer]:
            scale = scale_of(last)
            if last == 0 and reduce_lowest:
                pairs = [(1.0, 0.1), (2.0, scale), (0.5, scale)]
            else:
                pairs = [(ratio, scale) for ratio in aspect_ratios]
                if interpolated_ratio > 0:
                    following = 1.0 if last == layers - 1 else scale_of(last + 1)
                    pairs.append((interpolated_ratio, math.sqrt(scale * following)))
            for ratio, s in pairs:
                shapes.append((1.0, 1.0) if fixed_size else (s * math.sqrt(ratio), s / math.sqrt(ratio)))
            last += 1
        cells = math.ceil(input_size / strides[layer])
        for y in range(cells):
            for x in range(cells):
                for w, h in shapes:
                    anchors.append(((x + offset) / cells, (y + offset) / cells, w, h))
        layer = last
    return np.array(anchors, dtype=np.float64)


# mediapipe/modules/objectron/object_detection_oid_v4_cpu.pbtxt: SsdAnchorsCalculator num_layers 6,
# min_scale 0.2, max_scale 0.95, 300×300, strides 16…512, aspect_ratios 1, 2, 0.5, 3, 0.3333,
# reduce_boxes_in_lowest_layer true → 1,917 anchors.
OBJECTRON_ANCHORS = dict(input_size=300, min_scale=0.2, max_scale=0.95, strides=[16, 32, 64, 128, 256, 512],
                         aspect_ratios=[1.0, 2.0, 0.5, 3.0, 0.3333], reduce_lowest=True, fixed_size=False)
# face_detection_short_range.pbtxt (face_detection_front): num_layers 4, min_scale 0.1484375,
# max_scale 0.75, 128×128, strides 8, 16, 16, 16, aspect_ratios 1, fixed_anchor_size → 896 anchors.
BLAZEFACE_ANCHORS = dict(input_size=128, min_scale=0.1484375, max_scale=0.75, strides=[8, 16, 16, 16],
                         aspect_ratios=[1.0], reduce_lowest=False, fixed_size=True)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def decode_objectron_ssd(raw_boxes, raw_scores, anchors, min_score):
    """TF-SSD decoding (object_detection_oid_v4_cpu.pbtxt: num_coords 4, (y, x, h, w) order,
    x_scale = y_scale = 10, w_scale = h_scale = 5, apply_exponential_on_box_size, sigmoid_score,
    ignore_classes 0). Returns detections (box normalized to the detector input, score, label)."""
    raw_boxes, raw_scores = raw_boxes.reshape(len(anchors), -1), raw_scores.reshape(len(anchors), -1)
    yc = raw_boxes[:, 0] / 10.0 * anchors[:, 3] + anchors[:, 1]
    xc = raw_boxes[:, 1] / 10.0 * anchors[:, 2] + anchors[:, 0]
    h = np.exp(raw_boxes[:, 2] / 5.0) * anchors[:, 3]
    w = np.exp(raw_boxes[:, 3] / 5.0) * anchors[:, 2]
    scores = sigmoid(raw_scores)
    scores[:, 0] = -1.0  # background
    labels = np.argmax(scores, axis=1)
    best = scores[np.arange(len(anchors)), labels]
    detections = []
    for i in np.nonzero(best >= min_score)[0]:
        detections.append({"box": np.array([xc[i] - w[i] / 2, yc[i] - h[i] / 2, xc[i] + w[i] / 2, yc[i] + h[i] / 2]),
                           "score": float(best[i]), "label": int(labels[i]), "keypoints": np.zeros((0, 2))})
    return detections


def decode_blazeface(raw_boxes, raw_scores, anchors, min_score):
    """BlazeFace decoding (face_detection_short_range graph: num_coords 16, reverse_output_order
    (x, y, w, h), 6 keypoints from offset 4, x/y/w/h scales 128, linear sizes, sigmoid_score,
    score_clipping_thresh 100)."""
    raw_boxes, raw_scores = raw_boxes.reshape(len(anchors), 16), raw_scores.reshape(len(anchors))
    xc = raw_boxes[:, 0] / 128.0 * anchors[:, 2] + anchors[:, 0]
    yc = raw_boxes[:, 1] / 128.0 * anchors[:, 3] + anchors[:, 1]
    w = raw_boxes[:, 2] / 128.0 * anchors[:, 2]
    h = raw_boxes[:, 3] / 128.0 * anchors[:, 3]
    kx = raw_boxes[:, 4::2] / 128.0 * anchors[:, 2:3] + anchors[:, 0:1]
    ky = raw_boxes[:, 5::2] / 128.0 * anchors[:, 3:4] + anchors[:, 1:2]
    scores = sigmoid(np.clip(raw_scores, -100.0, 100.0))
    detections = []
    for i in np.nonzero(scores >= min_score)[0]:
        detections.append({"box": np.array([xc[i] - w[i] / 2, yc[i] - h[i] / 2, xc[i] + w[i] / 2, yc[i] + h[i] / 2]),
                           "score": float(scores[i]), "label": 0, "keypoints": np.stack([kx[i], ky[i]], axis=1)})
    return detections


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def greedy_nms(detections, threshold):
    """Highest score first; a box whose IoU with a kept box exceeds `threshold` is dropped."""
    kept = []
    for candidate in sorted(detections, key=lambda d: -d["score"]):
        if all(iou(candidate["box"], k["box"]) <= threshold for k in kept):
            kept.append(candidate)
    return kept


def weighted_nms(detections, threshold):
    """MediaPipe's WEIGHTED NMS (the face detection graph: NonMaxSuppressionCalculator
    algorithm WEIGHTED, min_suppression_threshold 0.3 = the face pack's iou_threshold): the top box and every remaining box overlapping it by IoU >
    threshold form a cluster; the kept box and keypoints are their score-weighted mean, the kept
    score is the top box's."""
    remaining = sorted(detections, key=lambda d: -d["score"])
    kept = []
    while remaining:
        top = remaining[0]
        cluster = [d for d in remaining if iou(top["box"], d["box"]) > threshold]
        remaining = [d for d in remaining if iou(top["box"], d["box"]) <= threshold]
        weights = np.array([d["score"] for d in cluster])
        box = sum(wt * d["box"] for wt, d in zip(weights, cluster)) / weights.sum()
        keypoints = sum(wt * d["keypoints"] for wt, d in zip(weights, cluster)) / weights.sum()
        kept.append({"box": box, "score": top["score"], "label": top["label"], "keypoints": keypoints})
    return kept


def label_ids(pack):
    names = (models_dir() / pack["detector"]["label_map"]).read_text().splitlines()
    return {i for i, name in enumerate(names) if name.strip() in pack["detector"]["labels"]}


def detect(image, pack):
    """Detections in image pixels (box x_min, y_min, x_max, y_max; keypoints N×2), best first,
    plus notes on the decoding (NMS-order sensitivity)."""
    spec = pack["models"]["detector"]
    height, width = image.shape[:2]
    tensor, matrix = model_input(image, (width / 2, height / 2, width, height, 0.0), spec)
    outputs = run_model(spec["path"], tensor)
    raw_boxes, raw_scores = outputs[spec["outputs"]["boxes"]], outputs[spec["outputs"]["scores"]]
    config = pack["detector"]
    notes = {}
    if pack["head"] == "objectron":
        anchors = ssd_anchors(**OBJECTRON_ANCHORS)
        decoded = decode_objectron_ssd(raw_boxes, raw_scores, anchors, config["min_score"])
        wanted = label_ids(pack)
        # MediaPipe's order: NMS over every class, then the label filter (FilterDetectionCalculator
        # after NonMaxSuppressionCalculator in objectron_cpu.pbtxt). The other order is computed
        # too and the golden records whether the two differ on this photo.
        kept = [d for d in greedy_nms(decoded, config["iou_threshold"]) if d["label"] in wanted]
        other = greedy_nms([d for d in decoded if d["label"] in wanted], config["iou_threshold"])
        notes["above_min_score_any_label"] = len(decoded)
        notes["nms_then_label_filter_equals_label_filter_then_nms"] = (
            len(kept) == len(other) and all(np.allclose(a["box"], b["box"]) for a, b in zip(kept, other)))
    else:
        anchors = ssd_anchors(**BLAZEFACE_ANCHORS)
        decoded = decode_blazeface(raw_boxes, raw_scores, anchors, config["min_score"])
        kept = weighted_nms(decoded, config["iou_threshold"])
        notes["above_min_score"] = len(decoded)
    kept = kept[:config["max_detections"]]
    in_pixels = spec["input"]["width"], spec["input"]["height"]
    for d in kept:  # normalized detector input → detector input pixels → image pixels
        corners = apply_affine(matrix, d["box"].reshape(2, 2) * in_pixels)
        d["box"] = corners.ravel()
        d["keypoints"] = apply_affine(matrix, d["keypoints"] * in_pixels) if len(d["keypoints"]) else d["keypoints"]
    return kept, notes


# ---------------------------------------------------------------------------------------------
# Crop, landmarks


def crop_from_detection(detection, crop_params):
    """pack.json `crop`: centre of the box, size × scale, square on the longer side, rotation
    target − atan2(−(y_to − y_from), x_to − x_from) in image pixels, normalized to [−π, π).
    MediaPipe's face graph (face_detection_front_detection_to_roi.pbtxt): DetectionsToRects with
    rotation_vector_start_keypoint_index 0, end 1, target angle 0 degrees, then
    RectTransformation scale_x = scale_y = 1.5, square_long: the face pack's crop fields."""
    x0, y0, x1, y1 = detection["box"]
    w, h = (x1 - x0) * crop_params["scale"], (y1 - y0) * crop_params["scale"]
    if crop_params["square"]:
        w = h = max(w, h)
    rotation = 0.0
    a, b = crop_params["rotation_from"], crop_params["rotation_to"]
    if a >= 0 and b >= 0:
        (xa, ya), (xb, yb) = detection["keypoints"][a], detection["keypoints"][b]
        rotation = math.radians(crop_params["target_angle_deg"]) - math.atan2(-(yb - ya), xb - xa)
        rotation = rotation - 2 * math.pi * math.floor((rotation + math.pi) / (2 * math.pi))
    return ((x0 + x1) / 2, (y0 + y1) / 2, w, h, rotation)


def landmarks(image, crop, pack):
    """Keypoints (K×2 image pixels) and presence probability of the landmark model on `crop`."""
    spec = pack["models"]["landmarks"]
    tensor, matrix = model_input(image, crop, spec)
    outputs = run_model(spec["path"], tensor)
    raw = outputs[spec["outputs"]["keypoints"]].reshape(pack["keypoints"], -1)[:, :2]
    presence = float(outputs[spec["outputs"]["presence"]].ravel()[0])
    if spec.get("presence_is_logit", False):
        presence = float(sigmoid(presence))
    return apply_affine(matrix, raw), presence


def reconstruct(pack_name, image_path):
    pack, pack_source = load_pack(pack_name)
    image = load_image(image_path)
    detections, notes = detect(image, pack)
    objects, dropped = [], []
    for detection in detections:
        crop = crop_from_detection(detection, pack["crop"])
        keypoints, presence = landmarks(image, crop, pack)
        entry = {"score": round(detection["score"], 6), "label": detection["label"], "presence": round(presence, 6),
                 "detection_box": [round(float(v), 4) for v in detection["box"]],
                 "detection_keypoints": [[round(float(v), 4) for v in p] for p in detection["keypoints"]],
                 "crop": {"center_x": round(crop[0], 4), "center_y": round(crop[1], 4), "width": round(crop[2], 4),
                          "height": round(crop[3], 4), "rotation_rad": round(crop[4], 6)},
                 "keypoints2d": [[round(float(x), 4), round(float(y), 4)] for x, y in keypoints]}
        (objects if presence >= pack["tracking"]["min_presence"] else dropped).append(entry)
    return {"pack": pack_name, "photo": os.path.relpath(image_path, REPO),
            "image": {"width": int(image.shape[1]), "height": int(image.shape[0])},
            "reference": "tools/mediapipe_reference.py", "pack_constants": pack_source,
            "objects": objects, "below_min_presence": dropped, "notes": notes}


def write_goldens():
    GOLDENS.mkdir(parents=True, exist_ok=True)
    for pack_name, photo in GOLDEN_CASES:
        result = reconstruct(pack_name, PHOTOS / f"{photo}.jpg")
        path = GOLDENS / f"{pack_name}__{photo}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(result, indent=1) + "\n")
        tmp.replace(path)
        presences = [o["presence"] for o in result["objects"] + result["below_min_presence"]]
        print(f"{path.relative_to(REPO)}: {len(result['objects'])} objects (presences {presences}), {result['notes']}")


def check_goldens():
    """Recomputes every golden; object counts must be equal and keypoints within
    CHECK_TOLERANCE_PX. Returns the process exit code."""
    missing = [name for name in {p["models"][r]["path"] for p in (load_pack(n)[0] for n, _ in GOLDEN_CASES)
                                 for r in ("detector", "landmarks")} if not (models_dir() / name).is_file()]
    if missing:
        print(f"mediapipe_reference.py check: skipped: models missing in {models_dir()}: {sorted(missing)}")
        return SKIPPED
    worst = 0.0
    for pack_name, photo in GOLDEN_CASES:
        path = GOLDENS / f"{pack_name}__{photo}.json"
        golden = json.loads(path.read_text())
        result = reconstruct(pack_name, PHOTOS / f"{photo}.jpg")
        for key in ("objects", "below_min_presence"):
            if len(result[key]) != len(golden[key]):
                print(f"{path.relative_to(REPO)}: {key}: {len(result[key])} recomputed, {len(golden[key])} committed")
                return 1
            for new, old in zip(result[key], golden[key]):
                difference = float(np.abs(np.array(new["keypoints2d"]) - np.array(old["keypoints2d"])).max())
                worst = max(worst, difference)
                if difference > CHECK_TOLERANCE_PX:
                    print(f"{path.relative_to(REPO)}: keypoints2d differ by {difference:.4g} px from the "
                          "recomputed ones")
                    return 1
    print(f"mediapipe_reference.py check: {len(GOLDEN_CASES)} goldens reproduce "
          f"(max keypoint difference {worst:.2g} px)")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("goldens", help="write tests/goldens/packs/<pack>__<photo>.json")
    commands.add_parser("check", help="recompute the goldens and compare (exit 77: skipped)")
    run = commands.add_parser("run", help="print one pack × image result")
    run.add_argument("pack")
    run.add_argument("image", type=Path)
    args = parser.parse_args()
    if torch is None:
        print(f"mediapipe_reference.py: needs python3-torch: {TORCH_MISSING}")
        sys.exit(SKIPPED if args.command == "check" else 1)
    torch.set_num_threads(2)
    if args.command == "check":
        sys.exit(check_goldens())
    if args.command == "goldens":
        write_goldens()
    else:
        print(json.dumps(reconstruct(args.pack, args.image), indent=1))


if __name__ == "__main__":
    main()
