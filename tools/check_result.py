#!/usr/bin/env python3
"""Validates a `meshrt reconstruct` output directory: result.json against
docs/schemas/result.schema.json (Debian python3-jsonschema), then that every file it names exists,
every OBJ names its .mtl and the .mtl its texture, and keypoint counts match the head.

usage: check_result.py OUT_DIR        exit 0 = valid, 1 = invalid (one line why), 77 = jsonschema missing
"""
import json
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(REPO_ROOT, "docs", "schemas", "result.schema.json")


def fail(message):
    print(f"check_result.py: {message}")
    return 1


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    try:
        import jsonschema
    except ImportError:
        print("check_result.py: python3-jsonschema is not installed")
        return 77
    out_dir = sys.argv[1]
    with open(SCHEMA, encoding="utf-8") as stream:
        schema = json.load(stream)
    with open(os.path.join(out_dir, "result.json"), encoding="utf-8") as stream:
        result = json.load(stream)
    try:
        jsonschema.Draft202012Validator(schema).validate(result)
    except jsonschema.ValidationError as error:
        path = "/".join(str(part) for part in error.absolute_path)
        return fail(f"result.json: {path or '(root)'}: {error.message}")
    if not os.path.isfile(os.path.join(out_dir, "overlay.png")):
        return fail("overlay.png missing")
    deform = result["head"] in ("ttp", "regress")
    for k, item in enumerate(result["objects"]):
        if deform:
            # ttp / regress: one keypoint per template vertex (the OBJ's), the head's fields present.
            if not os.path.isfile(os.path.join(out_dir, item["mesh"])):
                return fail(f"objects[{k}].mesh: {item['mesh']} missing")
            with open(os.path.join(out_dir, item["mesh"]), encoding="utf-8") as stream:
                expected_points = sum(1 for line in stream if line.startswith("v "))
            if item.get("head") != result["head"] or "coefficients" not in item:
                return fail(f"objects[{k}]: head and coefficients must be present for the {result['head']} head")
            if item["camera"]["model"] != "weak_perspective":
                return fail(f"objects[{k}].camera.model: {item['camera']['model']}, the {result['head']} head is weak_perspective")
            if (result["head"] == "ttp") != ("visibility" in item) or len(item.get("visibility", expected_points * [0])) != expected_points:
                return fail(f"objects[{k}].visibility: one per vertex exactly for ttp")
        else:
            expected_points = {"objectron": 9, "face": 468}[result["head"]]
        if len(item["keypoints2d"]) != expected_points:
            return fail(f"objects[{k}].keypoints2d: {len(item['keypoints2d'])} points, head needs {expected_points}")
        if (result["head"] == "objectron") != ("box3d" in item):
            return fail(f"objects[{k}].box3d: present exactly for objectron")
        for key in ("mesh", "material", "texture"):
            if not os.path.isfile(os.path.join(out_dir, item[key])):
                return fail(f"objects[{k}].{key}: {item[key]} missing")
        with open(os.path.join(out_dir, item["mesh"]), encoding="utf-8") as stream:
            obj = stream.read().splitlines()
        if f"mtllib {item['material']}" not in obj:
            return fail(f"{item['mesh']}: no 'mtllib {item['material']}'")
        with open(os.path.join(out_dir, item["material"]), encoding="utf-8") as stream:
            mtl = stream.read().splitlines()
        if f"map_Kd {item['texture']}" not in mtl:
            return fail(f"{item['material']}: no 'map_Kd {item['texture']}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
