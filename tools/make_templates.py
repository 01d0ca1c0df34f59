#!/usr/bin/python3
"""Writes the box-fit template meshes of the Objectron packs (docs/PACKS.md "Templates").

    /usr/bin/python3 tools/make_templates.py [--out assets/templates] [--check]

cuboid.obj  the unit cube (extent ±0.5), 6 faces × 4 vertices, UVs in a 4 × 3 cross atlas.
cup.obj     a closed cylindrical body and a tube handle, fitted into the unit box ±0.5.
synthetic_bird.obj, synthetic_bird_basis.npy
            an icosphere (level 3, 642 vertices) deformed into a bird looking toward +z, folded
            polar UVs, and its K = 16 symmetric deformation basis, float32 N×3×K (docs/DATASET.md).

Object frame (DESIGN §5): right-handed, +y up, triangles counter-clockwise seen from outside,
symmetric about the x = 0 plane (the cup's handle lies in that plane, toward +z). One UV per
vertex; the OBJ files are standard (vt's v points up: v_obj = 1 − v, DESIGN §5 keeps v down).
The output is a pure function of this script (fixed sizes, "%.6f" text), so a re-run rewrites
the committed files bit for bit; --check exits 1 when they differ.
"""
import argparse
import io
import math
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

# --- The synthetic bird (docs/DATASET.md "Template") ----------------------------------------------
# An icosphere of level 3 (642 vertices, 1280 triangles) deformed radially into a bird: an
# ellipsoid body looking toward +z, Gaussian bumps in direction space for the head, beak, tail and
# the two wings (the wings also flattened in y), then scaled into the unit box ±0.5 and centred.
BIRD_LEVEL = 3
BIRD_AXES = (0.19, 0.21, 0.46)  # body semi-axes x, y, z before the bumps
# (direction on the unit sphere, relative amplitude, angular width): radius × (1 + Σ a·exp(−|p − c|²/w²))
BIRD_BUMPS = (
    ((0.0, 0.55, 0.83), 1.10, 0.45),    # head: big and round, up and forward
    ((0.0, 0.30, 0.954), 0.60, 0.14),   # beak
    ((0.0, 0.15, -0.989), 0.45, 0.35),  # tail, back and a little up (a thin fan, below)
    ((1.0, 0.15, 0.15), 2.60, 0.42),    # right wing (+x), set forward of the middle
    ((-1.0, 0.15, 0.15), 2.60, 0.42),   # left wing (−x)
)
# Front and back must look different from every view: with a head no bigger than the tail the
# bird is nearly invariant under a half turn about its vertical axis, and a network cannot tell
# azimuth φ from φ + 180° (docs/TRAINING.md, "Why the template changed").
BIRD_WING_FLATTEN = 0.75  # y scaled by 1 − 0.75·(wing weight) near the wings
BIRD_TAIL_FLATTEN = 0.85  # y scaled by 1 − 0.85·(tail weight) near the tail
BASIS_COUNT = 16
BASIS_RMS = 0.03  # each basis field's RMS vertex displacement (template units) per unit coefficient
# The basis fields before orthogonalization, in this order: displacement axis (0 = x, 1 = y, 2 = z)
# times a monomial of the template's position. Mirror symmetry about x = 0 needs x-displacements
# odd in x and y/z-displacements even in x, so every field (and any combination) keeps the bird
# symmetric. Degrees 2 and 3: smooth, global, no high-frequency wobble.
BASIS_FIELDS = (
    ("xx", 1), ("zz", 1), ("xx", 2),   # wing dihedral, banana bend, wing sweep
    ("xz", 0), ("xy", 0),              # taper of the width front/back, top/bottom
    ("yz", 1), ("zz", 2), ("yy", 2),   # head-tail tilt, ends stretched, top/bottom pushed forward
    ("yy", 1), ("yz", 2),              # belly/back bulge, front/back shear by height
    ("xxz", 1), ("zzz", 1), ("xzz", 0),  # wing twist, S-bend, waist
    ("zzz", 2), ("xxy", 1), ("xyz", 0),  # tail/head stretch, wing thickness, width twist
)
# The symmetric affine deformations: translations in y and z and the five linear fields. With a
# weak-perspective camera (2×3, 6 degrees of freedom with t) an affine deformation is, in any one
# view, largely a camera change: s·P·R·(I + A) has 4 + 5 parameters for 6 entries, so at least 3
# combinations cannot be told from a pose/scale change. The basis is made orthogonal to all of
# them, so no coefficient mimics the camera that TTP solves for and CMR regresses.
GAUGE_FIELDS = (
    (("", 1),), (("", 2),),                        # translations ê_y, ê_z
    (("x", 0),), (("y", 1),), (("z", 2),),         # axis scales
    (("z", 1),), (("y", 2),),                      # shears in the y-z plane (the pitch among them)
)


def icosphere(level):
    """Unit icosphere: vertices (V×3), triangles (F×3, CCW seen from outside). Deterministic order."""
    t = (1.0 + 5.0 ** 0.5) / 2.0
    vertices = [(-1, t, 0), (1, t, 0), (-1, -t, 0), (1, -t, 0), (0, -1, t), (0, 1, t), (0, -1, -t), (0, 1, -t),
                (t, 0, -1), (t, 0, 1), (-t, 0, -1), (-t, 0, 1)]
    vertices = [np.array(v, dtype=np.float64) / np.linalg.norm(v) for v in vertices]
    faces = [(0, 11, 5), (0, 5, 1), (0, 1, 7), (0, 7, 10), (0, 10, 11), (1, 5, 9), (5, 11, 4), (11, 10, 2),
             (10, 7, 6), (7, 1, 8), (3, 9, 4), (3, 4, 2), (3, 2, 6), (3, 6, 8), (3, 8, 9), (4, 9, 5), (2, 4, 11),
             (6, 2, 10), (8, 6, 7), (9, 8, 1)]
    for _ in range(level):
        midpoints = {}

        def midpoint(a, b):
            key = (min(a, b), max(a, b))
            if key not in midpoints:
                m = vertices[a] + vertices[b]
                vertices.append(m / np.sqrt(m[0] * m[0] + m[1] * m[1] + m[2] * m[2]))
                midpoints[key] = len(vertices) - 1
            return midpoints[key]

        refined = []
        for a, b, c in faces:
            ab, bc, ca = midpoint(a, b), midpoint(b, c), midpoint(c, a)
            refined += [(a, ab, ca), (b, bc, ab), (c, ca, bc), (ab, bc, ca)]
        faces = refined
    return np.array(vertices), np.array(faces, dtype=np.int64)


def mirror_pairs(positions):
    """mirror[i] = the vertex at (−x, y, z) of vertex i (itself on the plane x = 0)."""
    keys = {tuple(np.round(p * [-1, 1, 1], 9) + 0.0): i for i, p in enumerate(positions)}
    mirror = np.array([keys.get(tuple(np.round(p, 9) + 0.0), -1) for p in positions], dtype=np.int64)
    if (mirror < 0).any():
        raise SystemExit("make_templates: the icosphere is not symmetric about x = 0")
    return mirror


def bird():
    sphere, triangles = icosphere(BIRD_LEVEL)
    # Vertices renumbered in order of first use by the triangles: readers that build vertices
    # from the faces (core/mesh_io.h readObj) then keep the file's order, which the basis rows follow.
    first_use = list(dict.fromkeys(triangles.reshape(-1).tolist()))
    renumber = np.empty(len(sphere), dtype=np.int64)
    renumber[first_use] = np.arange(len(sphere))
    sphere, triangles = sphere[first_use], renumber[triangles]
    mirror = mirror_pairs(sphere)
    weights = [a * np.exp(-((sphere - np.array(c)) ** 2).sum(-1) / (w * w)) for c, a, w in BIRD_BUMPS]
    radius = 1.0 + sum(weights)
    positions = sphere * np.array(BIRD_AXES) * radius[:, None]
    wing = (weights[3] + weights[4]) / BIRD_BUMPS[3][1]
    tail = weights[2] / BIRD_BUMPS[2][1]
    positions[:, 1] *= (1.0 - BIRD_WING_FLATTEN * wing) * (1.0 - BIRD_TAIL_FLATTEN * tail)
    # Exact symmetry: the −x vertex of each pair copies its partner; vertices on the plane get x = 0.
    right = sphere[:, 0] > 1e-12
    positions[mirror[right]] = positions[right] * np.array([-1.0, 1.0, 1.0])
    positions[mirror == np.arange(len(mirror)), 0] = 0.0
    centre = 0.5 * (positions.max(0) + positions.min(0))
    centre[0] = 0.0
    positions = (positions - centre) * (0.5 / np.abs(positions - centre).max())
    # Folded polar UVs from the sphere direction: u = polar angle from the beak axis (+z) / π,
    # v = angle around it from the top (+y), folded at x = 0 (|x|) / π: both halves of the bird
    # share one texture (mirror-symmetric), no seam, one UV per vertex; the poles (x = y = 0) get v = ½.
    u = np.arccos(np.clip(sphere[:, 2], -1.0, 1.0)) / np.pi
    on_axis = np.hypot(sphere[:, 0], sphere[:, 1]) < 1e-12
    v = np.where(on_axis, 0.5, np.arctan2(np.abs(sphere[:, 0]), sphere[:, 1]) / np.pi)
    uvs = np.stack([u, v], axis=-1)
    return positions, uvs, triangles, mirror


def check_star_outward(positions, triangles):
    """The bird stays star-shaped about the body centre: every triangle faces away from it."""
    normals = face_normals(positions, triangles)
    centroids = positions[triangles].mean(axis=1)
    return bool((np.einsum("ij,ij->i", normals, centroids) > 0).all())


def exact_dot(a, b):
    return math.fsum((a * b).tolist())


def monomial_field(positions, terms):
    """Σ over (monomial, axis) terms of monomial(position)·ê_axis, flattened to 3N; "-" negates."""
    n = len(positions)
    field = np.zeros((n, 3))
    for monomial, axis in terms:
        value = -np.ones(n) if monomial.startswith("-") else np.ones(n)
        for letter in monomial.lstrip("-"):
            value = value * positions[:, "xyz".index(letter)]
        field[:, axis] += value
    return field.reshape(-1)


def bird_basis(positions, mirror):
    """K fields (N×3 each), orthogonal to each other and to the gauge fields (Gram–Schmidt with
    exact sums, so the result does not depend on the BLAS or CPU), each with RMS vertex displacement
    BASIS_RMS; returned as float32 N×3×K."""
    n = len(positions)
    gauge, fields = [], []
    for terms in GAUGE_FIELDS + tuple(((monomial, axis),) for monomial, axis in BASIS_FIELDS):
        flat = monomial_field(positions, terms)
        original = math.sqrt(exact_dot(flat, flat))
        for previous in gauge + fields:
            flat = flat - exact_dot(flat, previous) * previous
        norm = math.sqrt(exact_dot(flat, flat))
        if len(gauge) < len(GAUGE_FIELDS):
            gauge.append(flat / norm)
        elif norm < 0.05 * original:
            raise SystemExit(f"make_templates: basis field {terms} depends on the earlier ones")
        else:
            fields.append(flat / norm)
    if len(fields) != BASIS_COUNT:
        raise SystemExit(f"make_templates: {len(fields)} basis fields, expected {BASIS_COUNT}")
    basis = np.stack(fields, axis=-1).reshape(n, 3, BASIS_COUNT) * (BASIS_RMS * math.sqrt(n))
    flipped = basis[mirror] * np.array([-1.0, 1.0, 1.0])[None, :, None]
    if np.abs(flipped - basis).max() > 1e-9:
        raise SystemExit("make_templates: a basis field is not mirror-symmetric")
    return np.round(basis, 7).astype("<f4")


def npy_bytes(array):
    stream = io.BytesIO()
    np.lib.format.write_array(stream, np.ascontiguousarray(array), version=(1, 0), allow_pickle=False)
    return stream.getvalue()


def obj_text(title, positions, uvs, triangles):
    lines = [f"# {title}", "# Written by tools/make_templates.py (docs/PACKS.md); object frame +y up, CCW outside.",
             f"# {len(positions)} vertices, {len(triangles)} triangles; vt is standard OBJ (v up)."]
    lines += [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in positions]
    lines += [f"vt {u:.6f} {1.0 - v:.6f}" for u, v in uvs]
    lines += [f"f {a + 1}/{a + 1} {b + 1}/{b + 1} {c + 1}/{c + 1}" for a, b, c in triangles]
    return ("\n".join(lines) + "\n").replace("-0.000000", "0.000000")


def templates():
    """Every file this script writes: name → bytes."""
    cube = cuboid()
    cup_mesh = cup()
    bird_positions, bird_uvs, bird_triangles, bird_mirror = bird()
    if (not check_cuboid_outward(cube[0], cube[2]) or not check_cup_outward(cup_mesh[0], cup_mesh[2])
            or not check_star_outward(bird_positions, bird_triangles)):
        raise SystemExit("make_templates: a triangle faces inward (winding bug)")
    for name, (positions, uvs) in (("cuboid", cube[:2]), ("cup", cup_mesh[:2]), ("bird", (bird_positions, bird_uvs))):
        if np.abs(positions).max() > 0.5 + 1e-9 or uvs.min() < 0 or uvs.max() > 1:
            raise SystemExit(f"make_templates: {name} leaves the unit box or the UV square")
    texts = {
        "cuboid.obj": obj_text("meshrt template: unit cuboid (extent ±0.5), 4 × 3 cross UV atlas", *cube),
        "cup.obj": obj_text("meshrt template: cup (closed elliptic body + handle toward +z), fitted into ±0.5", *cup_mesh),
        "synthetic_bird.obj": obj_text("meshrt template: synthetic bird (icosphere level 3 deformed; docs/DATASET.md), "
                                       "looking toward +z, fitted into ±0.5", bird_positions, bird_uvs, bird_triangles),
    }
    files = {name: text.encode("utf-8") for name, text in texts.items()}
    files["synthetic_bird_basis.npy"] = npy_bytes(bird_basis(bird_positions, bird_mirror))
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "assets", "templates"))
    parser.add_argument("--check", action="store_true", help="compare with the files in --out, write nothing")
    args = parser.parse_args()
    status = 0
    for name, data in templates().items():
        path = os.path.join(args.out, name)
        if args.check:
            try:
                with open(path, "rb") as stream:
                    same = stream.read() == data
            except OSError:
                same = False
            print(f"templates: {name}: {'up to date' if same else 'DIFFERS'}")
            status |= 0 if same else 1
            continue
        os.makedirs(args.out, exist_ok=True)
        temporary = path + ".tmp"
        with open(temporary, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
        print(f"templates: wrote {path} ({len(data)} bytes)")
    return status


if __name__ == "__main__":
    sys.exit(main())
