#!/usr/bin/python3
"""PyTorch re-implementation of TTP's published solver (paper 002, §3.2), the speed and
accuracy peer of meshrt's C++ solver (issue 7, acceptance 4).

Per alternation (4, as in Table 5): L-BFGS with strong-Wolfe line search on the axis-angle r
(and s, t), Jacobians by autograd, then c in closed form by eq. 7. Both sides minimize the same
loss, eq. 4: sum_i v_i |u_i - (s (R V_i)_xy + t)|^2 + gamma |c|^2. The paper fixes s to the 2D
spread; meshrt estimates s, so the peer optimizes s too (started from the spread, eq. 1), and
both sides start R from the same closed-form affine fit. The inputs are written by the C++
program (build/tests/meshrt_ttp_peer) and read by both sides.

Usage: /usr/bin/python3 tools/ttp_lbfgs_peer.py [--binary build/tests/meshrt_ttp_peer]
       [--cases 20] [--repeats 200]
Prints per-side time per solve, the time ratio (peer / meshrt) and the final-loss ratio
(meshrt / peer, mean over cases).
"""
import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

torch.set_num_threads(1)  # the C++ solver is single-threaded too


def so3_exp(r):
    theta = torch.sqrt((r * r).sum() + 1e-24)
    k = r / theta
    kx = torch.zeros(3, 3, dtype=r.dtype)
    kx = torch.stack([torch.stack([0 * k[0], -k[2], k[1]]),
                      torch.stack([k[2], 0 * k[0], -k[0]]),
                      torch.stack([-k[1], k[0], 0 * k[0]])])
    eye = torch.eye(3, dtype=r.dtype)
    return eye + torch.sin(theta) * kx + (1 - torch.cos(theta)) * (kx @ kx)


def so3_log(rot):
    cosine = ((np.trace(rot) - 1) / 2).clip(-1, 1)
    angle = np.arccos(cosine)
    if angle < 1e-8:
        return np.zeros(3)
    w = np.array([rot[2, 1] - rot[1, 2], rot[0, 2] - rot[2, 0], rot[1, 0] - rot[0, 1]])
    return w * angle / (2 * np.sin(angle))


def affine_start(u, v, verts):
    """Same closed-form start as meshrt: weighted affine camera, polar factor, r3 = r1 x r2."""
    w = v / v.sum()
    q = verts - (w[:, None] * verts).sum(0)
    d = u - (w[:, None] * u).sum(0)
    a = (q * v[:, None]).T @ q
    m = np.linalg.solve(a, (q * v[:, None]).T @ d).T  # 2x3
    uu, _, vt = np.linalg.svd(m, full_matrices=False)
    rows = uu @ vt
    rot = np.vstack([rows, np.cross(rows[0], rows[1])])
    proj = q @ rot[:2].T
    scale = np.sqrt((v * (d ** 2).sum(1)).sum() / (v * (proj ** 2).sum(1)).sum())
    return rot, scale


def solve_peer(u, v, template, basis, gamma, alternations=4):
    dtype = torch.float64
    u_t, v_t = torch.tensor(u, dtype=dtype), torch.tensor(v, dtype=dtype)
    t_t, b_t = torch.tensor(template, dtype=dtype), torch.tensor(basis, dtype=dtype)
    k = basis.shape[2]
    rot0, s0 = affine_start(u, v, template)
    r = torch.tensor(so3_log(rot0), dtype=dtype, requires_grad=True)
    s = torch.tensor(s0, dtype=dtype, requires_grad=True)
    t = torch.zeros(2, dtype=dtype, requires_grad=True)
    c = torch.zeros(k, dtype=dtype)

    def loss_of(r_, s_, t_, c_):
        verts = t_t + torch.einsum("ndk,k->nd", b_t, c_)
        proj = s_ * (verts @ so3_exp(r_).T)[:, :2] + t_
        return (v_t * ((u_t - proj) ** 2).sum(1)).sum() + gamma * (c_ * c_).sum()

    with torch.no_grad():  # t's closed form at the start, as meshrt does
        w = v_t / v_t.sum()
        proj = s * (t_t @ so3_exp(r).T)[:, :2]
        t.copy_((w[:, None] * (u_t - proj)).sum(0))
    for _ in range(alternations):
        opt = torch.optim.LBFGS([r, s, t], lr=1, max_iter=50, history_size=10,
                                tolerance_grad=1e-10, tolerance_change=1e-12, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            value = loss_of(r, s, t, c)
            value.backward()
            return value

        opt.step(closure)
        with torch.no_grad():  # eq. 7
            rot = so3_exp(r)
            omega = s * torch.einsum("ij,njk->nik", rot[:2], b_t)  # N x 2 x K
            upsilon = u_t - s * (t_t @ rot.T)[:, :2] - t
            a = torch.einsum("n,nik,nil->kl", v_t, omega, omega) + gamma * torch.eye(k, dtype=dtype)
            b = torch.einsum("n,nik,ni->k", v_t, omega, upsilon)
            c = torch.linalg.solve(a, b)
    with torch.no_grad():
        return float(loss_of(r, s, t, c))


def main():
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=str(root / "build/tests/meshrt_ttp_peer"))
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=200, help="timed repeats per case on the C++ side")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([args.binary, "write", tmp, str(args.cases)], check=True)
        meta = json.loads(Path(tmp, "meta.json").read_text())
        n, k = meta["vertices"], meta["basis"]
        template = np.fromfile(Path(tmp, "vertices.f32"), dtype=np.float32).reshape(n, 3).astype(np.float64)
        basis = np.fromfile(Path(tmp, "basis.f32"), dtype=np.float32).reshape(n, 3, k).astype(np.float64)
        peer_losses, peer_seconds = [], 0.0
        for i in range(meta["count"]):
            u = np.fromfile(Path(tmp, f"points_{i}.f32"), dtype=np.float32).reshape(n, 2).astype(np.float64)
            v = np.fromfile(Path(tmp, f"visibility_{i}.f32"), dtype=np.float32).astype(np.float64)
            start = time.perf_counter()
            peer_losses.append(solve_peer(u, v, template, basis, meta["gamma"]))
            peer_seconds += time.perf_counter() - start
        ours = json.loads(subprocess.run([args.binary, "solve", tmp, str(args.repeats)], check=True,
                                         capture_output=True, text=True).stdout)
    peer_ms = 1000 * peer_seconds / meta["count"]
    ratios = [a / b for a, b in zip(ours["losses"], peer_losses)]
    print(json.dumps({
        "cases": meta["count"], "vertices": n, "basis": k, "alternations": 4,
        "meshrt_ms_per_solve": round(ours["ms_per_solve"], 4),
        "peer_ms_per_solve": round(peer_ms, 2),
        "time_ratio_peer_over_meshrt": round(peer_ms / ours["ms_per_solve"], 1),
        "loss_ratio_meshrt_over_peer_mean": round(float(np.mean(ratios)), 4),
        "loss_ratio_meshrt_over_peer_max": round(float(np.max(ratios)), 4),
    }, indent=1))


if __name__ == "__main__":
    main()
