#!/usr/bin/env python3
"""Golden values for ImageSimilarityTest: SSIM as kornia.metrics.ssim computes it (3x3 Gaussian window,
sigma 1.5, C1 = 0.01^2, C2 = 0.03^2, 'same' output with reflect padding via numpy.pad(mode="reflect"),
mean over pixels), and NCC nearest neighbours (per-image standardisation with the unbiased std, then
squared L2 / D). Independent of the Java code: convolution by explicit shifted sums over a padded array.
Run: /usr/bin/python3 make_ssim_golden.py > ssim_golden.json
"""
import json
import numpy as np

rng = np.random.default_rng(7)
g = np.exp(-(np.arange(3) - 1) ** 2 / (2 * 1.5 ** 2))
g /= g.sum()
win = np.outer(g, g)


def filt(img):
    p = np.pad(img, 1, mode="reflect")
    h, w = img.shape
    return sum(win[i, j] * p[i:i + h, j:j + w] for i in range(3) for j in range(3))


def ssim(a, b):
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    m1, m2 = filt(a), filt(b)
    v1, v2, cov = filt(a * a) - m1 ** 2, filt(b * b) - m2 ** 2, filt(a * b) - m1 * m2
    return float((((2 * m1 * m2 + c1) * (2 * cov + c2)) / ((m1 ** 2 + m2 ** 2 + c1) * (v1 + v2 + c2))).mean())


cases = []
for h, w in [(28, 28), (5, 7), (3, 3)]:
    a = rng.random((h, w))
    b = np.clip(a + 0.2 * rng.standard_normal((h, w)), 0, 1)
    c = rng.random((h, w))
    cases.append({"h": h, "w": w, "a": a.ravel().tolist(), "b": b.ravel().tolist(), "c": c.ravel().tolist(),
                  "ssim_ab": ssim(a, b), "ssim_ac": ssim(a, c), "ssim_aa": ssim(a, a)})

q = rng.standard_normal((6, 20))
r = rng.standard_normal((9, 20))
r[4] = 3 * q[2] + 1  # a scaled, shifted copy: NCC distance 0
def std(x):
    return (x - x.mean(1, keepdims=True)) / x.std(1, ddof=1, keepdims=True)
dist = ((std(q)[:, None, :] - std(r)[None, :, :]) ** 2).sum(-1) / q.shape[1]
print(json.dumps({"ssim": cases, "ncc": {"q": q.ravel().tolist(), "r": r.ravel().tolist(), "nq": 6, "nr": 9, "d": 20,
                  "index": dist.argmin(1).tolist(), "distance": dist.min(1).tolist()}}))
