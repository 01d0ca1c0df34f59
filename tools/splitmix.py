"""Seeded values the C++ tests and the Python tools generate bit-for-bit (tests/support/splitmix.h),
so goldens need not store their random inputs."""
import numpy as np


def splitmix_uniform(seed, count):
    """count values in [0, 1), multiples of 2^-24 (exact in float32); splitmixUniform() in C++."""
    with np.errstate(over="ignore"):
        golden = np.uint64(0x9E3779B97F4A7C15)
        z = np.uint64(seed) * np.uint64(0xD1B54A32D192ED03) + (np.arange(count, dtype=np.uint64) + np.uint64(1)) * golden
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) * 2.0 ** -24


def splitmix_signed(seed, shape):
    """Values in [-1, 1) as float32, C order: 2 * splitmix_uniform - 1; splitmixSigned() in C++."""
    return (2.0 * splitmix_uniform(seed, int(np.prod(shape))) - 1.0).astype(np.float32).reshape(shape)
