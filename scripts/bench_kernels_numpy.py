#!/usr/bin/env python3
"""NumPy side of `imprint bench kernels`: times GEMM, thin SVD and thin QR and prints one JSON object.

The thread count is set by the caller through OPENBLAS_NUM_THREADS / OMP_NUM_THREADS (they must be set before
numpy is imported). Usage: bench_kernels_numpy.py --min-time SECONDS [--info-only]
"""
import argparse
import json
import os
import sys
import time


def loaded_blas_libraries():
    """Shared objects with 'blas' or 'lapack' in their name mapped into this process, resolved to real paths."""
    found = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split()
                if len(parts) >= 6 and ("blas" in parts[5] or "lapack" in parts[5]):
                    path = os.path.realpath(parts[5])
                    if path not in found:
                        found.append(path)
    except OSError:
        pass
    return found


def numpy_blas_config(np):
    """numpy's build-time BLAS description (numpy 1.x get_info, or numpy 2.x show_config dicts)."""
    try:
        config = np.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        return "%s %s" % (blas.get("name", "?"), blas.get("version", ""))
    except TypeError:
        pass
    try:
        info = np.__config__.get_info("blas_opt_info")
        return "libraries=%s" % info.get("libraries")
    except Exception as e:  # noqa: BLE001 - any failure only loses the description
        return "unknown (%s)" % e


def median_seconds(fn, min_time):
    warm_end = time.perf_counter() + max(0.3 * min_time, 0.05)
    fn()
    while time.perf_counter() < warm_end:
        fn()
    times = []
    end = time.perf_counter() + min_time
    while time.perf_counter() < end or len(times) < 5:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--min-time", type=float, default=1.0)
    parser.add_argument("--info-only", action="store_true")
    args = parser.parse_args()
    import numpy as np

    libraries = loaded_blas_libraries()
    out = {
        "numpy": np.__version__,
        "config": numpy_blas_config(np),
        "libraries": libraries,
        "openblas": any("openblas" in path for path in libraries),
        "threads_env": os.environ.get("OPENBLAS_NUM_THREADS"),
        "results": [],
    }
    if not args.info_only:
        rng = np.random.default_rng(42)
        for dtype, name in ((np.float64, "f64"), (np.float32, "f32")):
            for m, k, n in ((1024, 1024, 1024), (256, 256, 256), (4096, 1024, 64)):
                a = rng.standard_normal((m, k)).astype(dtype)
                b = rng.standard_normal((k, n)).astype(dtype)
                c = np.empty((m, n), dtype=dtype)
                seconds = median_seconds(lambda: np.matmul(a, b, out=c), args.min_time)
                out["results"].append({"op": "gemm", "dtype": name, "m": m, "n": n, "k": k, "seconds": seconds})
            a = rng.standard_normal((4096, 64)).astype(dtype)
            seconds = median_seconds(lambda: np.linalg.svd(a, full_matrices=False), args.min_time)
            out["results"].append({"op": "svd", "dtype": name, "m": 4096, "n": 64, "k": 64, "seconds": seconds})
            seconds = median_seconds(lambda: np.linalg.qr(a, mode="reduced"), args.min_time)
            out["results"].append({"op": "qr", "dtype": name, "m": 4096, "n": 64, "k": 64, "seconds": seconds})
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
