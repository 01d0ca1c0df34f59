"""The synthetic-pack encoder (issue 9): a narrow ResNet-18 with the regress and ttp heads.

Layout (docs/TRAINING.md):
  input  "image"      float32 [B, 3, S, S], RGB in [-1, 1] (pack normalization minus_one_to_one), S = 64
                      (train.py --input-size; the renders are 128², averaged in 2×2 blocks)
  output "regress"    float32 [B, 7 + K]: s, tx, ty, qw, qx, qy, qz (not normalized), c_1..c_K
  output "points"     float32 [B, 2N]: x0, y0, x1, y1, ... normalized crop coordinates, y down
  output "visibility" float32 [B, N]: probabilities (a Sigmoid inside the graph)

Backbone: torchvision's ResNet-18 block structure (7×7/2 stem, 3×3/2 max pool, four stages of two
BasicBlocks, strides 1, 2, 2, 2) at `width` channels in the first stage (64 in ResNet-18). The
heads keep the spatial layout of the final feature map (2×2 at 64², a 1×1 reduction, then flatten), since
per-vertex image positions need to know where things are, which global average pooling discards.
The points come from per-vertex heatmaps on a stride-4 feature pyramid (PointHeatmaps, integral
regression), the regress output and the visibility from the flattened final map.
Only ops the meshrt ONNX importer reads: Conv, BatchNormalization (folded on export), Relu, Add,
MaxPool, Flatten, Gemm, Sigmoid, Resize (nearest), Reshape, Softmax, MatMul.
"""
import torch
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.shortcut = None
        if stride != 1 or inputs != outputs:
            self.shortcut = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, bias=False), nn.BatchNorm2d(outputs))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.shortcut is None else self.shortcut(x)))


def conv_bn_relu(inputs, outputs, kernel):
    return nn.Sequential(nn.Conv2d(inputs, outputs, kernel, 1, kernel // 2, bias=False), nn.BatchNorm2d(outputs), nn.ReLU())


class PointHeatmaps(nn.Module):
    """The ttp head's 2D points by integral regression (soft-argmax) on a stride-4 grid.

    The four stages' features (stride 4, 8, 16, 32) are reduced to `channels` by 1×1 convolutions,
    upsampled (nearest) to stride 4 and summed (a feature pyramid's top-down sum in one step), then
    a 3×3 convolution and a 1×1 convolution give one logit map per vertex, [B, N, S/4, S/4]. Each
    map's softmax over its cells is a distribution of where that vertex projects; its mean over
    the cell centres (normalized coordinates, x right, y down) is the vertex's 2D point. Visible
    and hidden vertices alike: a hidden vertex's projection is a place in the image too.
    Exported as Reshape [B·N, cells] → Softmax → MatMul [cells, 2] (the cell centres) → Reshape [B, 2N].
    """

    def __init__(self, widths, vertex_count, image_size, channels=64):
        super().__init__()
        self.vertex_count, self.cells = vertex_count, image_size // 4
        self.laterals = nn.ModuleList(conv_bn_relu(w, channels, 1) for w in widths)
        self.fuse = conv_bn_relu(channels, channels, 3)
        self.logits = nn.Conv2d(channels, vertex_count, 1)
        centres = (torch.arange(self.cells, dtype=torch.float32) + 0.5) * (2.0 / self.cells) - 1.0
        y, x = torch.meshgrid(centres, centres, indexing="ij")
        self.register_buffer("grid", torch.stack([x.reshape(-1), y.reshape(-1)], 1))  # [cells², 2]: x, y

    def forward(self, features):
        fused = self.laterals[0](features[0])
        for level, feature in enumerate(features[1:], 1):
            fused = fused + nn.functional.interpolate(self.laterals[level](feature), scale_factor=2 ** level,
                                                      mode="nearest")
        logits = self.logits(self.fuse(fused))
        batch = logits.shape[0]
        flat = logits.reshape(-1, self.cells * self.cells)  # [B·N, cells²]
        if torch.onnx.is_in_onnx_export():  # the graph the runtime reads: Softmax, MatMul
            return torch.matmul(torch.softmax(flat, dim=1), self.grid).reshape(batch, 2 * self.vertex_count)
        # Training: the same function, computed as exp(log_softmax) and two matrix-vector products,
        # whose backward is several times faster in PyTorch 1.13 on the CPU than Softmax's and a
        # skinny [B·N, cells²] × [cells², 2] product's.
        weights = torch.exp(torch.log_softmax(flat, dim=1))
        points = torch.stack([weights @ self.grid[:, 0].contiguous(), weights @ self.grid[:, 1].contiguous()], 1)
        return points.reshape(batch, 2 * self.vertex_count)


class SyntheticEncoder(nn.Module):
    def __init__(self, vertex_count, basis_count, width=16, image_size=64, reduced_channels=32, hidden=512):
        super().__init__()
        self.vertex_count, self.basis_count, self.image_size = vertex_count, basis_count, image_size
        widths = [width, 2 * width, 4 * width, 8 * width]
        self.stem = nn.Sequential(nn.Conv2d(3, width, 7, 2, 3, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                                  nn.MaxPool2d(3, 2, 1))
        stages, inputs = [], width
        for index, outputs in enumerate(widths):
            stride = 1 if index == 0 else 2
            stages += [BasicBlock(inputs, outputs, stride), BasicBlock(outputs, outputs, 1)]
            inputs = outputs
        self.stages = nn.Sequential(*stages)
        final = image_size // 32  # the stem and stages divide by 32: 2×2 at 64²
        self.reduce = nn.Sequential(nn.Conv2d(widths[-1], reduced_channels, 1, bias=False),
                                    nn.BatchNorm2d(reduced_channels), nn.ReLU())
        self.hidden = nn.Sequential(nn.Flatten(), nn.Linear(reduced_channels * final * final, hidden), nn.ReLU())
        self.regress = nn.Linear(hidden, 7 + basis_count)
        self.points = PointHeatmaps(widths, vertex_count, image_size)
        self.visibility = nn.Linear(hidden, vertex_count)
        with torch.no_grad():  # start at the data's mean camera: s ≈ 1.3, identity-ish quaternion
            self.regress.weight.mul_(0.1)
            self.regress.bias.zero_()
            self.regress.bias[0] = 1.3
            self.regress.bias[3] = 1.0

        # Training only (not exported): a dense head on the stride-8 features that predicts, per
        # 8×8-pixel cell, the object mask and the template coordinates of the surface seen there
        # (canonical surface mapping, as in CSM). Its local, per-pixel supervision teaches the
        # backbone which part of the object each pixel shows, which the global heads need for the
        # pose; without it the global losses stayed at the mean predictor for thousands of steps.
        self.dense = nn.Conv2d(widths[1], 4, 1)

    def trunk(self, image):
        """The four stages' outputs: strides 4, 8, 16, 32."""
        features, x = [], self.stem(image)
        for stage in range(4):
            x = self.stages[2 * stage:2 * stage + 2](x)
            features.append(x)
        return features

    def heads(self, features):
        hidden = self.hidden(self.reduce(features[-1]))
        return self.regress(hidden), self.points(features), torch.sigmoid(self.visibility(hidden))

    def forward(self, image):
        return self.heads(self.trunk(image))

    def forward_training(self, image):
        """The three outputs and the dense map [B, 4, S/8, S/8]: mask logit, template x, y, z."""
        features = self.trunk(image)
        return self.heads(features), self.dense(features[1])
