"""From a raw similarity to the probability that the top topic is the right one.

Raw cosine scores mean different things for a one-word message and a long one, or when two
topics score nearly the same. A logistic regression on the top score and its lead over the
second (Platt scaling) turns them into a probability, fitted at build time on the knowledge base
itself: every example question asked of the index without itself (leave-one-out), right or wrong,
and the out-of-scope examples, always wrong. Two features and a few hundred points: Newton's
method in numpy, no library needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_MIN_POINTS = 50  # fewer than this (a toy index): keep the raw score
_L2 = 1e-3


@dataclass(frozen=True, slots=True)
class Calibration:
    weights: tuple[float, float, float] | None = None  # top score, lead, bias; None: raw

    def probability(self, top: float, second: float) -> float:
        if self.weights is None:
            return top
        a, b, c = self.weights
        return float(1.0 / (1.0 + np.exp(-(a * top + b * (top - second) + c))))


def fit_calibration(top: np.ndarray, second: np.ndarray, correct: np.ndarray) -> Calibration:
    """Fit the logistic regression; a raw calibration when the data cannot support one."""
    if len(top) < _MIN_POINTS or correct.all() or not correct.any():
        return Calibration()
    features = np.column_stack([top, top - second, np.ones_like(top)])
    labels = correct.astype(np.float64)
    weights = np.zeros(3)
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(features @ weights)))
        gradient = features.T @ (p - labels) + _L2 * weights
        hessian = (features * (p * (1 - p))[:, None]).T @ features + _L2 * np.eye(3)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-8:
            break
    return Calibration((float(weights[0]), float(weights[1]), float(weights[2])))


__all__ = ["Calibration", "fit_calibration"]
