"""The synthetic-pack encoder (issue 9): a narrow ResNet-18 with the regress and ttp heads.

Layout (docs/TRAINING.md):
  input  "image"      float32 [B, 3, S, S], RGB in [-1, 1] (pack normalization minus_one_to_one), S = 128
                      (train.py --input-size: the data's size by default)
  output "regress"    float32 [B, 7 + K]: s, tx, ty, qw, qx, qy, qz (not normalized), c_1..c_K
  output "points"     float32 [B, 2N]: x0, y0, x1, y1, ... normalized crop coordinates, y down
  output "visibility" float32 [B, N]: probabilities (a Sigmoid inside the graph)
  output "mask"       float32 [B, 1, S/8, S/8]: per 8×8-pixel cell, the probability that it shows the
                      object (the dense head's mask channel, a Sigmoid inside the graph)

Backbone: torchvision's ResNet-18 block structure (7×7/2 stem, 3×3/2 max pool, four stages of two
BasicBlocks, strides 1, 2, 2, 2) at `width` channels in the first stage (64 in ResNet-18). The
heads keep the spatial layout of the final feature map (4×4 at 128², a 1×1 reduction, then flatten), since
per-vertex image positions need to know where things are, which global average pooling discards.
Only ops the meshrt ONNX importer reads: Conv, BatchNormalization (folded on export), Relu, Add,
MaxPool, Flatten, Gemm, Sigmoid.
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
        final = image_size // 32  # the stem and stages divide by 32: 4×4 at 128²
        self.reduce = nn.Sequential(nn.Conv2d(widths[-1], reduced_channels, 1, bias=False),
                                    nn.BatchNorm2d(reduced_channels), nn.ReLU())
        self.hidden = nn.Sequential(nn.Flatten(), nn.Linear(reduced_channels * final * final, hidden), nn.ReLU())
        self.regress = nn.Linear(hidden, 7 + basis_count)
        self.points = nn.Linear(hidden, 2 * vertex_count)
        self.visibility = nn.Linear(hidden, vertex_count)
        with torch.no_grad():  # start at the data's mean camera: s ≈ 1.3, identity-ish quaternion
            self.regress.weight.mul_(0.1)
            self.regress.bias.zero_()
            self.regress.bias[0] = 1.3
            self.regress.bias[3] = 1.0

        # A dense head on the stride-8 features that predicts, per
        # 8×8-pixel cell, the object mask and the template coordinates of the surface seen there
        # (canonical surface mapping, as in CSM). Its local, per-pixel supervision teaches the
        # backbone which part of the object each pixel shows, which the global heads need for the
        # pose; without it the global losses stayed at the mean predictor for thousands of steps.
        # Its mask channel is exported ("mask"): the run time fits the mesh's outline to it
        # (heads/silhouette_fit.h); the surface channels are training only.
        self.dense = nn.Conv2d(widths[1], 4, 1)

    def trunk(self, image):
        stride4 = self.stages[0:2](self.stem(image))
        stride8 = self.stages[2:4](stride4)
        return stride8, self.stages[4:](stride8)

    def heads(self, final):
        features = self.hidden(self.reduce(final))
        return self.regress(features), self.points(features), torch.sigmoid(self.visibility(features))

    def forward(self, image):
        """regress, points, visibility and the mask: per 8×8-pixel cell the probability that it shows
        the object [B, 1, S/8, S/8] (the dense head's first channel through a Sigmoid)."""
        stride8, final = self.trunk(image)
        # Only the mask channel's weights (folded into one 1-channel Conv on export: no Slice op).
        mask = nn.functional.conv2d(stride8, self.dense.weight[0:1], self.dense.bias[0:1])
        return self.heads(final) + (torch.sigmoid(mask),)

    def forward_training(self, image, bf16=False):
        """The three outputs and the dense map [B, 4, S/8, S/8]: mask logit, template x, y, z.
        With `bf16` the trunk and the dense head run in bfloat16 (CPU autocast); the heads and
        everything returned stay float32."""
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            stride8, final = self.trunk(image)
            dense = self.dense(stride8)
        return self.heads(final.float()), dense.float()
