#!/usr/bin/python3
"""Structural check of a glTF 2.0 binary (.glb) file, from the glTF 2.0 specification.

Usage: check_glb.py FILE.glb [...]
Checks the 12-byte header, the JSON and BIN chunks (types, lengths, 4-byte alignment, the
file filled exactly), the JSON's scene -> node -> mesh -> primitive chain, every accessor
(component type and size, count >= 1, aligned and inside its bufferView), every bufferView
inside the buffer and the buffer inside the BIN chunk, POSITION min/max against the data,
indices < the vertex count, and each image's bufferView starting with the PNG signature.
Prints one summary line per file; exits 1 with "FILE: reason" lines on the first failures.
Standard library only (run by ctest as MeshIo.CheckGlbPython).
"""
import json
import struct
import sys

COMPONENT_BYTES = {5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4}
COMPONENT_FORMAT = {5120: "b", 5121: "B", 5122: "h", 5123: "H", 5125: "I", 5126: "f"}
TYPE_COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class GlbError(Exception):
    pass


def require(condition, reason):
    if not condition:
        raise GlbError(reason)


def read_chunks(data):
    require(len(data) >= 20, f"{len(data)} bytes, too short for a header and a chunk")
    magic, version, length = struct.unpack_from("<III", data, 0)
    require(magic == 0x46546C67, f"magic is {magic:#x}, not 'glTF'")
    require(version == 2, f"container version {version}, expected 2")
    require(length == len(data), f"header length {length} != file size {len(data)}")
    json_length, json_type = struct.unpack_from("<II", data, 12)
    require(json_type == 0x4E4F534A, "first chunk is not JSON")
    require(json_length % 4 == 0, f"JSON chunk length {json_length} is not a multiple of 4")
    bin_header = 20 + json_length
    require(bin_header + 8 <= len(data), "no BIN chunk header after the JSON chunk")
    gltf = json.loads(data[20:bin_header].decode("utf-8"))
    bin_length, bin_type = struct.unpack_from("<II", data, bin_header)
    require(bin_type == 0x004E4942, "second chunk is not BIN")
    require(bin_length % 4 == 0, f"BIN chunk length {bin_length} is not a multiple of 4")
    require(bin_header + 8 + bin_length == len(data), "chunks do not fill the file exactly")
    return gltf, data[bin_header + 8:]


def accessor_values(gltf, binary, index):
    accessor = gltf["accessors"][index]
    view = gltf["bufferViews"][accessor["bufferView"]]
    component_type = accessor["componentType"]
    require(component_type in COMPONENT_BYTES, f"accessors[{index}]: componentType {component_type} unknown")
    require(accessor["type"] in TYPE_COMPONENTS, f"accessors[{index}]: type {accessor['type']} unknown")
    size = COMPONENT_BYTES[component_type]
    components = TYPE_COMPONENTS[accessor["type"]]
    count = accessor["count"]
    require(count >= 1, f"accessors[{index}]: count {count} < 1")
    offset = accessor.get("byteOffset", 0)
    begin = view.get("byteOffset", 0) + offset
    require(begin % size == 0, f"accessors[{index}]: byte {begin} not aligned to {size}")
    stride = view.get("byteStride", size * components)
    span = stride * (count - 1) + size * components
    require(offset + span <= view["byteLength"], f"accessors[{index}]: {offset + span} bytes past its bufferView")
    values = []
    for element in range(count):
        values.append(struct.unpack_from("<" + COMPONENT_FORMAT[component_type] * components, binary, begin + element * stride))
    return accessor, values


def check_glb(path):
    with open(path, "rb") as file:
        data = file.read()
    gltf, binary = read_chunks(data)
    require(gltf.get("asset", {}).get("version") == "2.0", "asset.version is not \"2.0\"")
    buffers = gltf.get("buffers", [])
    require(len(buffers) == 1 and "uri" not in buffers[0], "expected one buffer, the BIN chunk")
    buffer_length = buffers[0]["byteLength"]
    require(buffer_length <= len(binary) < buffer_length + 4, f"buffer byteLength {buffer_length} vs BIN chunk {len(binary)}")
    for i, view in enumerate(gltf.get("bufferViews", [])):
        end = view.get("byteOffset", 0) + view["byteLength"]
        require(view["buffer"] == 0 and end <= buffer_length, f"bufferViews[{i}] ends at {end}, past the buffer")

    scene = gltf["scenes"][gltf.get("scene", 0)]
    triangles = vertices = 0
    for node_index in scene["nodes"]:
        mesh = gltf["meshes"][gltf["nodes"][node_index]["mesh"]]
        for primitive in mesh["primitives"]:
            require(primitive.get("mode", 4) == 4, "primitive mode is not TRIANGLES")
            attributes = primitive["attributes"]
            position, xyz = accessor_values(gltf, binary, attributes["POSITION"])
            require(position["componentType"] == 5126 and position["type"] == "VEC3", "POSITION is not float VEC3")
            for k in range(3):
                low = min(p[k] for p in xyz)
                high = max(p[k] for p in xyz)
                require(position["min"][k] == low and position["max"][k] == high, f"POSITION min/max[{k}] disagree with the data")
            if "TEXCOORD_0" in attributes:
                uv, _ = accessor_values(gltf, binary, attributes["TEXCOORD_0"])
                require(uv["type"] == "VEC2" and uv["count"] == position["count"], "TEXCOORD_0 is not VEC2 per vertex")
            indices, values = accessor_values(gltf, binary, primitive["indices"])
            require(indices["type"] == "SCALAR" and indices["componentType"] in (5121, 5123, 5125), "indices type")
            require(indices["count"] % 3 == 0, f"{indices['count']} indices, not whole triangles")
            largest = max(v[0] for v in values)
            require(largest < position["count"], f"index {largest} >= vertex count {position['count']}")
            triangles += indices["count"] // 3
            vertices += position["count"]
            if "material" in primitive:
                material = gltf["materials"][primitive["material"]]
                base = material.get("pbrMetallicRoughness", {}).get("baseColorTexture")
                if base is not None:
                    texture = gltf["textures"][base["index"]]
                    require(texture.get("sampler", 0) < len(gltf.get("samplers", [{}])), "texture sampler out of range")
                    require(texture["source"] < len(gltf.get("images", [])), "texture source out of range")
    for i, image in enumerate(gltf.get("images", [])):
        require(image.get("mimeType") == "image/png", f"images[{i}]: mimeType is not image/png")
        view = gltf["bufferViews"][image["bufferView"]]
        begin = view.get("byteOffset", 0)
        require(binary[begin:begin + 8] == PNG_SIGNATURE, f"images[{i}]: no PNG signature at its bufferView")
    return f"{path}: ok ({vertices} vertices, {triangles} triangles, {len(gltf.get('images', []))} PNG images)"


def main(paths):
    if not paths:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        try:
            print(check_glb(path))
        except (GlbError, OSError, KeyError, IndexError, TypeError, ValueError, struct.error) as error:
            print(f"{path}: {type(error).__name__ if not isinstance(error, GlbError) else 'invalid'}: {error}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
