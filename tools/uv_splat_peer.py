#!/usr/bin/python3
"""UV feature splatting (paper 000, A.1) in vectorized PyTorch: the independent golden and
the speed peer of meshrt's Vulkan stage (issue 4, acceptance 2 and 6).

This is how the paper's authors would write the transform without their CUDA op: every
(quad, candidate texel) pair is enumerated at once, the inverse bilinear coordinates are solved
in closed form, the per-texel lookup table is a sort, and the accumulation is index_add_. The
backward is autograd's, so it checks meshrt's hand-derived gradients (docs/UV_SPLAT.md)
independently. The math follows docs/UV_SPLAT.md to the letter.

Usage:
  /usr/bin/python3 tools/uv_splat_peer.py goldens [--out tests/goldens/uv_splat]
      runs build/tests/meshrt_uv_splat_cases to write the cases' inputs (rasterized UVs and
      masks), then writes the peer's outputs next to them (float64 math, stored as float32)
  /usr/bin/python3 tools/uv_splat_peer.py bench [--repeats 5]
      times this peer and meshrt's Vulkan stage (through build/tests/meshrt_uv_splat_cases
      time) on the same inputs in one run and prints the ratios for docs/PERF.md
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from splitmix import splitmix_uniform  # noqa: E402  (tests/support/splitmix.h in C++)

NO_QUAD = 0xFFFFFFFF
# Corner k of the quad whose top-left pixel is (x, y), in ring order: (dy, dx).
CORNERS = ((0, 0), (0, 1), (1, 1), (1, 0))


def signed_features(seed, shape):
    """Values in [-1, 1), the same on both sides: 2 * splitmix_uniform - 1."""
    return (2.0 * splitmix_uniform(seed, int(np.prod(shape))) - 1.0).reshape(shape)


def _safe_div(num, den):
    ok = den != 0
    return num / torch.where(ok, den, torch.ones_like(den)), ok


def inverse_bilinear(a, b, c, d, p):
    """(s, t, inside) with p = (1-s)(1-t) a + s(1-t) b + s t c + (1-s) t d; rows are pairs."""
    e, f, g, h = b - a, d - a, a - b + c - d, p - a

    def cross(x, y):
        return x[:, 0] * y[:, 1] - x[:, 1] * y[:, 0]

    k2 = cross(g, f)
    k1 = cross(e, f) + cross(h, g)
    k0 = cross(h, e)
    disc = k1 * k1 - 4.0 * k0 * k2
    real = disc >= 0
    positive = disc > 0  # sqrt'(0) is infinite: a double root gets sq = 0 with no gradient path
    sq = torch.where(positive, torch.sqrt(torch.where(positive, disc, torch.ones_like(disc))), torch.zeros_like(disc))
    qq = -0.5 * (k1 + torch.where(k1 >= 0, sq, -sq))

    def s_for(t):
        dx = e[:, 0] + t * g[:, 0]
        dy = e[:, 1] + t * g[:, 1]
        use_x = dx.abs() >= dy.abs()
        num = torch.where(use_x, h[:, 0] - t * f[:, 0], h[:, 1] - t * f[:, 1])
        return _safe_div(num, torch.where(use_x, dx, dy))

    t_first, ok_first = _safe_div(k0, qq)
    t_second, ok_second = _safe_div(qq, k2)
    s_first, ok_s_first = s_for(t_first)
    s_second, ok_s_second = s_for(t_second)

    def in_unit(x):
        return (x >= 0) & (x <= 1)

    first = real & ok_first & ok_s_first & in_unit(t_first) & in_unit(s_first)
    second = real & ok_second & ok_s_second & in_unit(t_second) & in_unit(s_second) & ~first
    s = torch.where(first, s_first, s_second)
    t = torch.where(first, t_first, t_second)
    # Where J = [e + t g | f + s g] is singular the implicit-function gradient does not exist;
    # like meshrt (docs/UV_SPLAT.md), such an entry passes no gradient to the UVs.
    det = cross(e + t.detach()[:, None] * g, f + s.detach()[:, None] * g)
    singular = det == 0
    s = torch.where(singular, s.detach(), s)
    t = torch.where(singular, t.detach(), t)
    return s, t, first | second


def splat_forward(features, uvs, mask, tex_w, tex_h, max_extent=0.2, lut_capacity=10):
    """features [C,H,W], uvs [H,W,2], mask [H,W] bool -> texture [C,Ht,Wt], weight [Ht,Wt],
    lut [Ht,Wt,L] (int64, NO_QUAD padded), dropped (int). Differentiable in features and uvs."""
    channels, height, width = features.shape
    dtype = uvs.dtype
    quad_uv = torch.stack([uvs[dy:height - 1 + dy, dx:width - 1 + dx] for dy, dx in CORNERS], dim=2)
    quad_mask = torch.stack([mask[dy:height - 1 + dy, dx:width - 1 + dx] for dy, dx in CORNERS], dim=2).all(2)
    with torch.no_grad():
        finite = torch.isfinite(quad_uv).all(3).all(2)
        safe_uv = torch.where(torch.isfinite(quad_uv), quad_uv, torch.zeros_like(quad_uv))
        extent = safe_uv.amax(2) - safe_uv.amin(2)
        used = quad_mask & finite & (extent <= max_extent).all(-1)
    quad_ids = used.flatten().nonzero().squeeze(1)
    corners = quad_uv.reshape(-1, 4, 2)[quad_ids]
    q = corners * torch.tensor([tex_w, tex_h], dtype=dtype) - 0.5  # texel space: centres at integers

    with torch.no_grad():
        lo = torch.ceil(q.amin(1)).clamp(min=0).long()
        hi = torch.floor(q.amax(1)).long()
        hi[:, 0] = hi[:, 0].clamp(max=tex_w - 1)
        hi[:, 1] = hi[:, 1].clamp(max=tex_h - 1)
        span = (hi - lo + 1).clamp(min=0)
        count = span[:, 0] * span[:, 1]
        pair_quad = torch.repeat_interleave(torch.arange(len(quad_ids)), count)
        rank_in_quad = torch.arange(len(pair_quad)) - torch.repeat_interleave(torch.cumsum(count, 0) - count, count)
        i = lo[pair_quad, 0] + rank_in_quad % span[pair_quad, 0]
        j = lo[pair_quad, 1] + torch.div(rank_in_quad, span[pair_quad, 0], rounding_mode="floor")

    qc = q[pair_quad]
    point = torch.stack([i, j], 1).to(dtype)
    s, t, inside = inverse_bilinear(qc[:, 0], qc[:, 1], qc[:, 2], qc[:, 3], point)
    with torch.no_grad():
        keep_pairs = inside.nonzero().squeeze(1)
    s, t = s[keep_pairs], t[keep_pairs]
    pair_quad, i, j = pair_quad[keep_pairs], i[keep_pairs], j[keep_pairs]
    quad = quad_ids[pair_quad]
    texel = j * tex_w + i

    # The lookup table: per texel the lut_capacity smallest quad indices; the rest are dropped.
    with torch.no_grad():
        quads_total = (height - 1) * (width - 1)
        order = torch.argsort(texel * quads_total + quad)
        sorted_texel = texel[order]
        _, group_counts = torch.unique_consecutive(sorted_texel, return_counts=True)
        group_starts = torch.cumsum(group_counts, 0) - group_counts
        rank = torch.arange(len(order)) - torch.repeat_interleave(group_starts, group_counts)
        kept = order[rank < lut_capacity]
        dropped = int((rank >= lut_capacity).sum())
        lut = torch.full((tex_h * tex_w, lut_capacity), NO_QUAD, dtype=torch.int64)
        lut[sorted_texel[rank < lut_capacity], rank[rank < lut_capacity]] = quad[order[rank < lut_capacity]]

    s, t, quad, texel = s[kept], t[kept], quad[kept], texel[kept]
    weights = torch.stack([(1 - s) * (1 - t), s * (1 - t), s * t, (1 - s) * t], 1)
    qy = torch.div(quad, width - 1, rounding_mode="floor")
    qx = quad % (width - 1)
    flat = features.reshape(channels, height * width)
    numerator_pairs = sum(weights[:, k] * flat[:, (qy + dy) * width + qx + dx] for k, (dy, dx) in enumerate(CORNERS))
    numerator = torch.zeros(channels, tex_h * tex_w, dtype=features.dtype).index_add(1, texel, numerator_pairs)
    weight = torch.zeros(tex_h * tex_w, dtype=dtype).index_add(0, texel, weights.sum(1))
    visible = weight > 0
    texture = torch.where(visible, numerator / torch.where(visible, weight, torch.ones_like(weight)),
                          torch.zeros_like(numerator))
    return (texture.reshape(channels, tex_h, tex_w), weight.reshape(tex_h, tex_w),
            lut.reshape(tex_h, tex_w, lut_capacity), dropped)


def splat_forward_backward(features, uvs, mask, texture_grad, **config):
    """Forward plus autograd's gradients of sum(texture_grad * texture) for features and uvs."""
    features = features.clone().requires_grad_(True)
    uvs = uvs.clone().requires_grad_(True)
    texture, weight, lut, dropped = splat_forward(features, uvs, mask, **config)
    (texture * texture_grad).sum().backward()
    return texture.detach(), weight.detach(), lut, dropped, features.grad, uvs.grad


def load_case(case_dir, case):
    base = Path(case_dir) / case["name"]
    uvs = np.load(f"{base}_uvs.npy").astype(np.float64)
    mask = np.load(f"{base}_mask.npy").astype(bool)
    height, width = mask.shape
    features = signed_features(case["featureSeed"], (case["channels"], height, width))
    texture_grad = signed_features(case["gradSeed"], (case["channels"], case["textureHeight"], case["textureWidth"]))
    config = dict(tex_w=case["textureWidth"], tex_h=case["textureHeight"], max_extent=case["maxQuadExtent"],
                  lut_capacity=case["lutCapacity"])
    return features, uvs, mask, texture_grad, config


def write_goldens(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([args.binary, "write", str(out)], check=True)
    cases = json.loads((out / "cases.json").read_text())
    for case in cases["cases"]:
        features, uvs, mask, texture_grad, config = load_case(out, case)
        texture, weight, lut, dropped, grad_features, grad_uvs = splat_forward_backward(
            torch.from_numpy(features), torch.from_numpy(uvs), torch.from_numpy(mask),
            torch.from_numpy(texture_grad), **config)
        base = out / case["name"]
        np.save(f"{base}_texture.npy", texture.numpy().astype(np.float32))
        np.save(f"{base}_weight.npy", weight.numpy().astype(np.float32))
        np.save(f"{base}_lut.npy", lut.numpy().astype(np.uint32))
        np.save(f"{base}_dfeatures.npy", grad_features.numpy().astype(np.float32))
        np.save(f"{base}_duvs.npy", grad_uvs.numpy().astype(np.float32))
        case["droppedEntries"] = dropped
        print(f"{case['name']}: {int((weight > 0).sum())} visible texels, {dropped} LUT entries dropped", flush=True)
    (out / "cases.json").write_text(json.dumps(cases, indent=1) + "\n")


def bench(args):
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([args.binary, "write-bench", tmp], check=True)
        cases = json.loads((Path(tmp) / "cases.json").read_text())
        ours = json.loads(subprocess.run([args.binary, "time", tmp, str(args.repeats)], check=True,
                                         capture_output=True, text=True).stdout)
        rows = []
        for case in cases["cases"]:
            features, uvs, mask, texture_grad, config = load_case(tmp, case)
            f = torch.from_numpy(features).float()
            u = torch.from_numpy(uvs).float()
            m = torch.from_numpy(mask)
            g = torch.from_numpy(texture_grad).float()
            forward_times, backward_times = [], []
            for _ in range(args.repeats + 1):
                fr = f.clone().requires_grad_(True)
                ur = u.clone().requires_grad_(True)
                start = time.perf_counter()
                texture, _, _, _ = splat_forward(fr, ur, m, **config)
                middle = time.perf_counter()
                (texture * g).sum().backward()
                end = time.perf_counter()
                forward_times.append(middle - start)
                backward_times.append(end - middle)
            peer_forward = 1e3 * float(np.median(forward_times[1:]))
            peer_backward = 1e3 * float(np.median(backward_times[1:]))
            mine = ours[case["name"]]
            rows.append((case["name"], mine["forward_ms"], peer_forward, mine["backward_ms"], peer_backward,
                         mine.get("forward_reuse_ms"), mine.get("backward_reuse_ms")))
        print(f"torch {torch.__version__}, {args.threads} thread(s); medians of {args.repeats}")
        print("| case | meshrt forward | peer forward | ratio | meshrt backward | peer backward | ratio "
              "| meshrt forward, outputs kept | ratio | meshrt backward, outputs kept | ratio |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for name, mf, pf, mb, pb, mfk, mbk in rows:
            kept = (f"{mfk:.2f} ms | {pf / mfk:.2f}x | {mbk:.2f} ms | {pb / mbk:.2f}x" if mfk and mbk else "— | — | — | —")
            print(f"| {name} | {mf:.2f} ms | {pf:.2f} ms | {pf / mf:.2f}x | {mb:.2f} ms | {pb:.2f} ms | {pb / mb:.2f}x | {kept} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["goldens", "bench"])
    parser.add_argument("--binary", default="build/tests/meshrt_uv_splat_cases")
    parser.add_argument("--out", default="tests/goldens/uv_splat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if not Path(args.binary).exists():
        sys.exit(f"uv_splat_peer.py: {args.binary}: not found; build first (./meshrt.sh build)")
    torch.set_default_dtype(torch.float64)
    write_goldens(args) if args.mode == "goldens" else bench(args)


if __name__ == "__main__":
    main()
