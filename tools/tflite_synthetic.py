"""A small synthetic TFLite model covering the importer's layout paths the MediaPipe models do not
take (tools/tflite_golden.py --synthetic writes it and its goldens to tests/goldens/tflite/).

A minimal FlatBuffer writer: tables are laid out front to back (vtable, then the table, then its
children), so every uoffset points forward as the format requires. Field indices follow
TensorFlow Lite's schema.fbs (see tools/tflite_golden.py's reader and runtime/nn/tflite_reader.cpp).
"""
import struct

import numpy as np

# Field kinds: scalars by struct format; "table", "vector:<fmt>", "tables", "string", "bytes".


class Table:
    def __init__(self, *fields):
        self.fields = fields  # (index, kind, value); value None = absent


class FlatWriter:
    def __init__(self):
        self.buf = bytearray()

    def align(self, n):
        while len(self.buf) % n:
            self.buf.append(0)

    def _patch_offset(self, at, target):
        struct.pack_into("<I", self.buf, at, target - at)

    def write_vector(self, fmt, values):
        self.align(8 if fmt in ("q", "Q", "d") else 4)
        start = len(self.buf)
        self.buf += struct.pack("<I", len(values))
        self.buf += struct.pack(f"<{len(values)}{fmt}", *values)
        return start

    def write_bytes(self, data, terminate=False):
        self.align(16)
        self.buf += b"\0" * ((-(len(self.buf) + 4)) % 16)  # data 16-byte aligned
        start = len(self.buf)
        self.buf += struct.pack("<I", len(data)) + bytes(data) + (b"\0" if terminate else b"")
        return start

    def write_table(self, table):
        fields = sorted((f for f in table.fields if f[2] is not None), key=lambda f: f[0])
        slots = (max([f[0] for f in fields], default=-1) + 1)
        # Inline layout: soffset, then each field (4 or 8 bytes for scalars/offsets, 1 for bytes).
        layout, size = [], 4
        for index, kind, value in fields:
            width = struct.calcsize("<" + kind) if len(kind) == 1 else 4
            size += (-size) % width
            layout.append((index, kind, value, size, width))
            size += width
        size += (-size) % 4
        self.align(4)
        vtable = len(self.buf)
        offsets = [0] * slots
        for index, _, _, at, _ in layout:
            offsets[index] = at
        self.buf += struct.pack(f"<HH{slots}H", 4 + 2 * slots, size, *offsets)
        self.align(8)
        table_pos = len(self.buf)
        self.buf += b"\0" * size
        struct.pack_into("<i", self.buf, table_pos, table_pos - vtable)
        children = []
        for index, kind, value, at, width in layout:
            if len(kind) == 1:
                struct.pack_into("<" + kind, self.buf, table_pos + at, value)
            else:
                children.append((table_pos + at, kind, value))
        for at, kind, value in children:
            if kind == "table":
                target = self.write_table(value)
            elif kind == "tables":
                target = self.write_table_vector(value)
            elif kind == "string":
                target = self.write_bytes(value.encode("utf-8"), terminate=True)
            elif kind == "bytes":
                target = self.write_bytes(value)
            else:
                target = self.write_vector(kind.split(":")[1], value)
            self._patch_offset(at, target)
        return table_pos

    def write_table_vector(self, tables):
        self.align(4)
        start = len(self.buf)
        self.buf += struct.pack("<I", len(tables)) + b"\0" * (4 * len(tables))
        for i, table in enumerate(tables):
            self._patch_offset(start + 4 + 4 * i, self.write_table(table))
        return start

    def finish(self, root):
        self.buf += b"\0" * 8
        self.buf[4:8] = b"TFL3"
        self._patch_offset(0, self.write_table(root))
        return bytes(self.buf)


class ModelBuilder:
    """Tensors, buffers and operators of one subgraph; names double as tensor handles."""

    TYPES = {np.dtype("<f4"): 0, np.dtype("<f2"): 1, np.dtype("<i4"): 2}

    def __init__(self):
        self.tensors, self.buffers, self.operators, self.codes = [], [b""], [], []
        self.index = {}

    def tensor(self, name, shape, data=None, type_code=0):
        buffer = 0
        if data is not None:
            data = np.ascontiguousarray(data)
            type_code = self.TYPES[data.dtype]
            self.buffers.append(data.tobytes())
            buffer = len(self.buffers) - 1
        self.index[name] = len(self.tensors)
        self.tensors.append(Table((0, "vector:i", list(shape)), (1, "b", type_code), (2, "I", buffer), (3, "string", name)))
        return name

    def op(self, code, inputs, outputs, options_type=0, options=None):
        if code not in self.codes:
            self.codes.append(code)
        ids = [self.index[n] if n is not None else -1 for n in inputs]
        self.operators.append(Table((0, "I", self.codes.index(code)), (1, "vector:i", ids),
                                    (2, "vector:i", [self.index[n] for n in outputs]),
                                    (3, "B", options_type if options else None), (4, "table", options)))

    def finish(self, inputs, outputs):
        codes = [Table((0, "b", min(code, 127)), (2, "i", 1), (3, "i", code)) for code in self.codes]
        subgraph = Table((0, "tables", self.tensors), (1, "vector:i", [self.index[n] for n in inputs]),
                         (2, "vector:i", [self.index[n] for n in outputs]), (3, "tables", self.operators),
                         (4, "string", "main"))
        buffers = [Table((0, "bytes", data if data else None)) for data in self.buffers]
        root = Table((0, "I", 3), (1, "tables", codes), (2, "tables", [subgraph]), (3, "string", "meshrt synthetic"),
                     (4, "tables", buffers))
        return FlatWriter().finish(root)


def layout_ops_model(seed=7):
    """[1,9,8,4] → CONV 3x3/2 SAME (fp16 weights + DEQUANTIZE, RELU6) → DEPTHWISE x2 SAME → PAD (H, W
    and channels) → MAX_POOL 2x2/2 VALID (RELU) → AVERAGE_POOL 3x3/2 SAME → MUL by [C] (RELU) → ADD [2,1,C]
    → RESHAPE to [1,4,10,2] (4-D → 4-D) → CONCATENATION with its LOGISTIC on the channels (RELU_N1_TO_1) → PRELU
    [1,1,C] → (a) FULLY_CONNECTED of the 4-D tensor → SOFTMAX, (b) MEAN over H, W keep_dims,
    (c) RESHAPE to [1,40,4] → PRELU with a 1-D alpha (TFLite: on the last axis)."""
    rng = np.random.default_rng(seed)
    f32 = lambda *shape: rng.uniform(-1, 1, size=shape).astype("<f4")  # noqa: E731
    b = ModelBuilder()
    b.tensor("input", [1, 9, 8, 4])
    b.tensor("conv_w16", [8, 3, 3, 4], f32(8, 3, 3, 4).astype("<f2"))
    b.tensor("conv_w", [8, 3, 3, 4])
    b.op(6, ["conv_w16"], ["conv_w"])  # DEQUANTIZE
    b.tensor("conv_b", [8], f32(8))
    b.tensor("conv", [1, 5, 4, 8])
    # Conv2DOptions: padding SAME, stride_w 2, stride_h 2, RELU6
    b.op(3, ["input", "conv_w", "conv_b"], ["conv"], 1, Table((0, "b", 0), (1, "i", 2), (2, "i", 2), (3, "b", 3)))
    b.tensor("dw_w", [1, 3, 3, 16], f32(1, 3, 3, 16))
    b.tensor("dw_b", [16], f32(16))
    b.tensor("dw", [1, 5, 4, 16])
    # DepthwiseConv2DOptions: SAME, stride 1, depth_multiplier 2, no activation
    b.op(4, ["conv", "dw_w", "dw_b"], ["dw"], 2, Table((0, "b", 0), (1, "i", 1), (2, "i", 1), (3, "i", 2), (4, "b", 0)))
    b.tensor("pads", [4, 2], np.array([[0, 0], [1, 0], [0, 2], [0, 4]], dtype="<i4"))
    b.tensor("pad", [1, 6, 6, 20])
    b.op(34, ["dw", "pads"], ["pad"], 22, Table())
    b.tensor("maxpool", [1, 3, 3, 20])
    b.op(17, ["pad"], ["maxpool"], 5, Table((0, "b", 1), (1, "i", 2), (2, "i", 2), (3, "i", 2), (4, "i", 2), (5, "b", 1)))
    b.tensor("avgpool", [1, 2, 2, 20])
    b.op(1, ["maxpool"], ["avgpool"], 5, Table((0, "b", 0), (1, "i", 2), (2, "i", 2), (3, "i", 3), (4, "i", 3)))
    b.tensor("scale", [20], f32(20))
    b.tensor("mul", [1, 2, 2, 20])
    b.op(18, ["avgpool", "scale"], ["mul"], 21, Table((0, "b", 1)))  # MUL, RELU
    b.tensor("shift", [2, 1, 20], f32(2, 1, 20))
    b.tensor("add", [1, 2, 2, 20])
    b.op(0, ["shift", "mul"], ["add"], 11, Table((0, "b", 0)))  # ADD, constant first
    b.tensor("reshape", [1, 4, 10, 2])
    b.op(22, ["add"], ["reshape"], 17, Table((0, "vector:i", [1, 4, 10, 2])))
    b.tensor("sigmoid", [1, 4, 10, 2])
    b.op(14, ["reshape"], ["sigmoid"])
    b.tensor("concat", [1, 4, 10, 4])
    b.op(2, ["reshape", "sigmoid"], ["concat"], 10, Table((0, "i", -1), (1, "b", 2)))  # RELU_N1_TO_1
    b.tensor("alpha", [1, 1, 4], f32(1, 1, 4))
    b.tensor("prelu", [1, 4, 10, 4])
    b.op(54, ["concat", "alpha"], ["prelu"])
    b.tensor("fc_w", [6, 160], f32(6, 160))
    b.tensor("fc_b", [6], f32(6))
    b.tensor("fc", [1, 6])
    b.op(9, ["prelu", "fc_w", "fc_b"], ["fc"], 8, Table((0, "b", 0)))
    b.tensor("probabilities", [1, 6])
    b.op(25, ["fc"], ["probabilities"], 9, Table((0, "f", 1.0)))
    b.tensor("axes", [2], np.array([1, 2], dtype="<i4"))
    b.tensor("mean", [1, 1, 1, 4])
    b.op(40, ["prelu", "axes"], ["mean"], 27, Table((0, "B", 1)))
    b.tensor("flat", [1, 40, 4])
    b.op(22, ["prelu"], ["flat"], 17, Table((0, "vector:i", [1, 40, 4])))
    b.tensor("alpha_1d", [4], f32(4))
    b.tensor("prelu_3d", [1, 40, 4])
    b.op(54, ["flat", "alpha_1d"], ["prelu_3d"])
    return b.finish(["input"], ["probabilities", "mean", "prelu_3d"])
