"""Fitting the confidence model's weights: a logistic regression, by Newton's method.

Each training line is its features (by name), whether it was right, and how much
it counts. The fit is deterministic by construction: the feature names sorted,
a fixed number of Newton steps from the prior, an L2 penalty pulling every
weight towards its prior (so a kind of evidence seen a few times stays near the
table's number), and weights rounded when stored, so that
benchmarks/train_confidence.py rebuilds the shipped file bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

STEPS = 30  # Newton steps: the loss is convex and settles well before
L2 = 4.0  # the penalty on each weight's squared distance from its prior
DIGITS = 4  # decimals of a stored weight

# one training line: (its features by name, right or not, its weight)
Example = tuple[Mapping[str, float], bool, float]


def fit(
    examples: Sequence[Example],
    prior: Mapping[str, float],
    l2: float = L2,
    steps: int = STEPS,
) -> dict[str, float]:
    """The weights (feature name -> weight) of the logistic model that best predicts
    whether each line is right, pulled towards ``prior``."""
    names = sorted({k for f, _y, _w in examples for k in f} | set(prior))
    if not examples:
        return {k: float(prior.get(k, 0.0)) for k in names}
    col = {k: i for i, k in enumerate(names)}
    x = np.zeros((len(examples), len(names)), dtype=np.float64)
    for i, (f, _y, _w) in enumerate(examples):
        for k, v in f.items():
            x[i, col[k]] = v
    y = np.array([float(right) for _f, right, _w in examples])
    weight = np.array([w for _f, _y, w in examples], dtype=np.float64)
    w0 = np.array([float(prior.get(k, 0.0)) for k in names])
    w = w0.copy()

    def loss_at(w: np.ndarray) -> float:
        z = x @ w
        # log(1 + e^z) - y z, computed without overflow
        nll = weight * (np.logaddexp(0.0, z) - y * z)
        return float(nll.sum()) + 0.5 * l2 * float((w - w0) @ (w - w0))

    loss = loss_at(w)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (weight * (p - y)) + l2 * (w - w0)
        hess = (x * (weight * p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(names))
        step = np.linalg.solve(hess, grad)
        if float(np.abs(step).max()) < 1e-7:
            break  # settled far below the stored precision
        for _half in range(30):  # halve the step until the loss falls
            new = loss_at(w - step)
            if new <= loss:
                break
            step = step / 2
        else:
            break
        w, loss = w - step, new
    return {k: round(float(v), DIGITS) + 0.0 for k, v in zip(names, w, strict=True)}
