"""Digit boundary tilting (Rademaker, Bengio & Francois, PRX 2019): two digit classes, a
linear classifier, and the "mean-direction" FGSM x -/+ eps sign(mean_a - mean_b) that
pushes each image toward the other class's mean -- the analogue of tilting the immune
decision boundary."""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from .datasets import load_digits
from .train import train
from .zoo import logistic_regression


class TiltingResult(Result):
    """Keys: eps (grid), accuracy_natural, accuracy_adversarial (arrays), classes, seed,
    direction (the sign pattern, shaped as one image: ``image_shape``), natural_model and
    robust_model (the two trained classifiers), x_test and y_test (the two classes' test
    images, labels 0/1)."""


def mean_direction_attack(x, y, direction, eps):
    """Class-0 images move by -eps * direction, class-1 images by +eps (clipped to [0, 1])."""
    sign = np.where(y == 0, -1.0, 1.0).reshape((-1,) + (1,) * (x.ndim - 1))
    return np.clip(x + sign * eps * direction, 0.0, 1.0)


def boundary_tilting(classes=(3, 8), eps_grid=None, train_eps=0.3, seed=0, data=None):
    """Accuracy of a natural and a mean-direction-adversarially trained linear classifier.

    The adversarial model is trained on a 50/50 mix of clean and attacked images at
    ``train_eps`` (fixed direction, so training is exact and cheap).
    """
    if len(set(classes)) != 2:
        raise InputError(f"need two distinct classes, got {classes}")
    data = data or load_digits(seed=seed)
    eps_grid = np.linspace(0, 0.5, 11) if eps_grid is None else np.asarray(eps_grid, float)

    def pick(x, y):
        keep = np.isin(y, classes)
        return x[keep], (y[keep] == classes[1]).astype(np.int64)

    xtr, ytr = pick(data.x_train, data.y_train)
    xte, yte = pick(data.x_test, data.y_test)
    direction = np.sign(xtr[ytr == 0].mean(axis=0) - xtr[ytr == 1].mean(axis=0))
    n_pix = xtr[0].size
    natural = logistic_regression(n_pix, 2, seed)
    train(natural, xtr, ytr, seed=seed)
    robust = logistic_regression(n_pix, 2, seed)
    x_mix = np.concatenate([xtr, mean_direction_attack(xtr, ytr, direction, train_eps)])
    train(robust, x_mix, np.concatenate([ytr, ytr]), seed=seed)
    acc = lambda model: np.array([model.accuracy(mean_direction_attack(xte, yte, direction, e),
                                                 yte) for e in eps_grid])
    return TiltingResult(eps=eps_grid, accuracy_natural=acc(natural),
                         accuracy_adversarial=acc(robust), classes=tuple(classes), seed=seed,
                         direction=direction.reshape(data.image_shape), natural_model=natural,
                         robust_model=robust,
                         x_test=xte, y_test=yte)
