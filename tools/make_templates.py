#!/usr/bin/python3
"""Writes the box-fit template meshes of the Objectron packs (docs/PACKS.md "Templates").

    /usr/bin/python3 tools/make_templates.py [--out assets/templates] [--check]

cuboid.obj  the unit cube (extent ±0.5), 6 faces × 4 vertices, UVs in a 4 × 3 cross atlas.
cup.obj     a closed cylindrical body and a tube handle, fitted into the unit box ±0.5.

Object frame (DESIGN §5): right-handed, +y up, triangles counter-clockwise seen from outside,
symmetric about the x = 0 plane (the cup's handle lies in that plane, toward +z). One UV per
vertex; the OBJ files are standard (vt's v points up: v_obj = 1 − v, DESIGN §5 keeps v down).
The output is a pure function of this script (fixed sizes, "%.6f" text), so a re-run rewrites
the committed files bit for bit; --check exits 1 when they differ.
"""
import argparse
import os
import sys

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Cup proportions, in units of the box (±0.5). The body is an elliptic cylinder: the full width
# in x, 0.8 deep in z and shifted back so the handle reaches z = +0.5.
CUP_BODY_HALF_X = 0.5
CUP_BODY_HALF_Z = 0.4
CUP_BODY_CENTRE_Z = -0.1
CUP_SEGMENTS = 48          # around the body
CUP_WALL_RINGS = 5         # rings from bottom to top (4 bands)
HANDLE_CENTRE_Z = CUP_BODY_CENTRE_Z + CUP_BODY_HALF_Z   # where the handle meets the body (x = 0)
HANDLE_HALF_HEIGHT = 0.25  # the handle's centre line spans y ∈ [−0.25, 0.25] …
HANDLE_REACH = 0.16        # … and bulges this far out in +z
HANDLE_TUBE_RADIUS = 0.04  # so the outermost point is at z = 0.3 + 0.16 + 0.04 = 0.5
HANDLE_SEGMENTS = 16       # along the handle
HANDLE_SIDES = 8           # around the tube


class Mesh:
    """Positions (N×3), UVs (N×2, DESIGN §5: v down) and triangles (M×3), built part by part."""

    def __init__(self):
        self.positions, self.uvs, self.triangles = [], [], []

    def add_grid(self, points, uvs):
        """A rows × cols grid of vertices; quads (r, c) → (r, c+1) → (r+1, c+1) → (r+1, c) are
        counter-clockwise seen from outside when u runs right and rows run up (seen from outside)."""
        rows, cols = points.shape[:2]
        base = len(self.positions)
        self.positions.extend(points.reshape(-1, 3))
        self.uvs.extend(uvs.reshape(-1, 2))
        for r in range(rows - 1):
            for c in range(cols - 1):
                a, b = base + r * cols + c, base + r * cols + c + 1
                d, e = base + (r + 1) * cols + c, base + (r + 1) * cols + c + 1
                self.triangles.extend([(a, b, e), (a, e, d)])

    def add_fan(self, centre, centre_uv, ring, ring_uvs):
        """A disc: centre + ring (counter-clockwise seen from outside)."""
        base = len(self.positions)
        self.positions.append(centre)
        self.uvs.append(centre_uv)
        self.positions.extend(ring)
        self.uvs.extend(ring_uvs)
        n = len(ring)
        for i in range(n - 1):
            self.triangles.append((base, base + 1 + i, base + 2 + i))

    def arrays(self):
        return (np.asarray(self.positions, dtype=np.float64), np.asarray(self.uvs, dtype=np.float64),
                np.asarray(self.triangles, dtype=np.int64))


def cuboid():
    # face: outward normal, its right and up axes seen from outside, and its cell of the 4 × 3 atlas
    # (column, row; row 0 on top). Cross layout: −x, +z, +x, −z across the middle row; +y above
    # +z and −y below it, so the texture is continuous across the edges of the front face.
    faces = [
        ((0, 0, 1), (1, 0, 0), (0, 1, 0), (1, 1)),    # +z front
        ((1, 0, 0), (0, 0, -1), (0, 1, 0), (2, 1)),   # +x
        ((0, 0, -1), (-1, 0, 0), (0, 1, 0), (3, 1)),  # −z back
        ((-1, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1)),   # −x
        ((0, 1, 0), (1, 0, 0), (0, 0, -1), (1, 0)),   # +y top
        ((0, -1, 0), (1, 0, 0), (0, 0, 1), (1, 2)),   # −y bottom
    ]
    mesh = Mesh()
    for normal, right, up, (col, row) in faces:
        normal, right, up = (np.array(v, dtype=np.float64) for v in (normal, right, up))
        points = np.zeros((2, 2, 3))
        uvs = np.zeros((2, 2, 2))
        for t in range(2):      # rows run up
            for s in range(2):  # columns run right
                points[t, s] = 0.5 * normal + (s - 0.5) * right + (t - 0.5) * up
                uvs[t, s] = ((col + s) / 4.0, (row + 1 - t) / 3.0)
        mesh.add_grid(points, uvs)
    return mesh.arrays()


def cup():
    mesh = Mesh()
    # Body wall: θ from 0 to 2π seen from above turning from +x toward −z, so that u runs right
    # when the wall is seen from outside. UV band v ∈ [0, 0.5] (v down: the top ring at v = 0).
    theta = np.linspace(0.0, 2.0 * np.pi, CUP_SEGMENTS + 1)
    ring_x = CUP_BODY_HALF_X * np.cos(theta)
    ring_z = CUP_BODY_CENTRE_Z - CUP_BODY_HALF_Z * np.sin(theta)
    ring_x[-1], ring_z[-1] = ring_x[0], ring_z[0]  # the seam closes exactly
    heights = np.linspace(-0.5, 0.5, CUP_WALL_RINGS)
    points = np.stack([np.broadcast_to(ring_x, (CUP_WALL_RINGS, CUP_SEGMENTS + 1)),
                       np.broadcast_to(heights[:, None], (CUP_WALL_RINGS, CUP_SEGMENTS + 1)),
                       np.broadcast_to(ring_z, (CUP_WALL_RINGS, CUP_SEGMENTS + 1))], axis=-1)
    u = np.linspace(0.0, 1.0, CUP_SEGMENTS + 1)
    v = 0.5 * (1.0 - (heights + 0.5))
    uvs = np.stack(np.broadcast_arrays(u[None, :], v[:, None]), axis=-1)
    mesh.add_grid(points, uvs)

    # Caps: discs in the atlas cells u ∈ [0, 0.25] (top) and [0.25, 0.5] (bottom), v ∈ [0.5, 0.75].
    # Seen from above, θ turns counter-clockwise; seen from below, clockwise: reversed there.
    for y, cell_u, angles in ((0.5, 0.0, theta), (-0.5, 0.25, theta[::-1])):
        rim = np.stack([CUP_BODY_HALF_X * np.cos(angles), np.full_like(angles, y),
                        CUP_BODY_CENTRE_Z - CUP_BODY_HALF_Z * np.sin(angles)], axis=-1)
        rim_uv = np.stack([cell_u + 0.125 + 0.12 * np.cos(angles), 0.625 + 0.12 * np.sin(angles)], axis=-1)
        mesh.add_fan(np.array([0.0, y, CUP_BODY_CENTRE_Z]), np.array([cell_u + 0.125, 0.625]), rim, rim_uv)

    # Handle: a tube around the centre line c(φ) = (0, H sin φ, z0 + R cos φ), φ ∈ [−π/2, π/2]
    # (bottom to top), in the x = 0 plane. UV cell u ∈ [0.5, 1], v ∈ [0.5, 1].
    phi = np.linspace(-0.5 * np.pi, 0.5 * np.pi, HANDLE_SEGMENTS + 1)
    centre = np.stack([np.zeros_like(phi), HANDLE_HALF_HEIGHT * np.sin(phi),
                       HANDLE_CENTRE_Z + HANDLE_REACH * np.cos(phi)], axis=-1)
    tangent = np.stack([np.zeros_like(phi), HANDLE_HALF_HEIGHT * np.cos(phi), -HANDLE_REACH * np.sin(phi)], axis=-1)
    tangent /= np.linalg.norm(tangent, axis=-1, keepdims=True)
    side = np.array([1.0, 0.0, 0.0])              # +x, perpendicular to the handle's plane
    outward = np.cross(tangent, side)             # in the plane, away from the handle's centre
    psi = np.linspace(0.0, 2.0 * np.pi, HANDLE_SIDES + 1)
    # Rows: around the tube; columns: along the handle. (side·cos ψ − outward·sin ψ) turns so
    # that the quads face outward (checked by check_outward below).
    around = (np.cos(psi)[:, None, None] * side[None, None, :] - np.sin(psi)[:, None, None] * outward[None, :, :])
    around[-1] = around[0]
    points = centre[None, :, :] + HANDLE_TUBE_RADIUS * around
    uvs = np.stack(np.broadcast_arrays(0.5 + 0.5 * (np.arange(HANDLE_SEGMENTS + 1) / HANDLE_SEGMENTS)[None, :],
                                       1.0 - 0.5 * (np.arange(HANDLE_SIDES + 1) / HANDLE_SIDES)[:, None]), axis=-1)
    mesh.add_grid(points, uvs)
    return mesh.arrays()


def face_normals(positions, triangles):
    a, b, c = (positions[triangles[:, k]] for k in range(3))
    return np.cross(b - a, c - a)


def check_cup_outward(positions, triangles):
    """Every triangle faces away from the body axis (wall), up/down (caps) or the tube (handle)."""
    normals = face_normals(positions, triangles)
    centroids = positions[triangles].mean(axis=1)
    wall_and_caps = CUP_SEGMENTS * (CUP_WALL_RINGS - 1) * 2 + 2 * CUP_SEGMENTS
    axis_point = np.array([0.0, 0.0, CUP_BODY_CENTRE_Z])
    away = centroids[:wall_and_caps] - axis_point
    body_ok = np.einsum("ij,ij->i", normals[:wall_and_caps], away) > 0
    handle = centroids[wall_and_caps:]
    # Nearest centre-line point: the handle's ellipse, sampled finely.
    phi = np.linspace(-0.5 * np.pi, 0.5 * np.pi, 2001)
    line = np.stack([np.zeros_like(phi), HANDLE_HALF_HEIGHT * np.sin(phi), HANDLE_CENTRE_Z + HANDLE_REACH * np.cos(phi)], -1)
    nearest = line[np.argmin(((handle[:, None, :] - line[None, :, :]) ** 2).sum(-1), axis=1)]
    handle_ok = np.einsum("ij,ij->i", normals[wall_and_caps:], handle - nearest) > 0
    return bool(body_ok.all() and handle_ok.all())


def check_cuboid_outward(positions, triangles):
    normals = face_normals(positions, triangles)
    centroids = positions[triangles].mean(axis=1)
    return bool((np.einsum("ij,ij->i", normals, centroids) > 0).all())


def obj_text(title, positions, uvs, triangles):
    lines = [f"# {title}", "# Written by tools/make_templates.py (docs/PACKS.md); object frame +y up, CCW outside.",
             f"# {len(positions)} vertices, {len(triangles)} triangles; vt is standard OBJ (v up)."]
    lines += [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in positions]
    lines += [f"vt {u:.6f} {1.0 - v:.6f}" for u, v in uvs]
    lines += [f"f {a + 1}/{a + 1} {b + 1}/{b + 1} {c + 1}/{c + 1}" for a, b, c in triangles]
    return ("\n".join(lines) + "\n").replace("-0.000000", "0.000000")


def templates():
    cube = cuboid()
    cup_mesh = cup()
    if not check_cuboid_outward(cube[0], cube[2]) or not check_cup_outward(cup_mesh[0], cup_mesh[2]):
        raise SystemExit("make_templates: a triangle faces inward (winding bug)")
    for name, (positions, uvs, _) in (("cuboid", cube), ("cup", cup_mesh)):
        if np.abs(positions).max() > 0.5 + 1e-9 or uvs.min() < 0 or uvs.max() > 1:
            raise SystemExit(f"make_templates: {name} leaves the unit box or the UV square")
    return {
        "cuboid.obj": obj_text("meshrt template: unit cuboid (extent ±0.5), 4 × 3 cross UV atlas", *cube),
        "cup.obj": obj_text("meshrt template: cup (closed elliptic body + handle toward +z), fitted into ±0.5", *cup_mesh),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "assets", "templates"))
    parser.add_argument("--check", action="store_true", help="compare with the files in --out, write nothing")
    args = parser.parse_args()
    status = 0
    for name, text in templates().items():
        path = os.path.join(args.out, name)
        if args.check:
            try:
                with open(path, encoding="utf-8") as stream:
                    same = stream.read() == text
            except OSError:
                same = False
            print(f"templates: {name}: {'up to date' if same else 'DIFFERS'}")
            status |= 0 if same else 1
            continue
        os.makedirs(args.out, exist_ok=True)
        temporary = path + ".tmp"
        with open(temporary, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
        print(f"templates: wrote {path} ({len(text)} bytes)")
    return status


if __name__ == "__main__":
    sys.exit(main())
