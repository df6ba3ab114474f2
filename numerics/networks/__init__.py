"""Small numpy neural networks with exact backpropagation, trained on real digits.

- :mod:`.datasets` -- scikit-learn's bundled 8x8 digits (default) and an MNIST IDX loader;
- :mod:`.layers`, :mod:`.model` -- layers, a sequential model, input gradients;
- :mod:`.zoo` -- logistic regression, an MLP, a small CNN;
- :mod:`.train` -- seeded Adam with early stopping, natural or PGD adversarial training;
- :mod:`.defences` -- biomimetic input filters inspired by large-m proofreading;
- :mod:`.store` -- the evaluated networks, their training configurations and their cache;
- :mod:`.robustness` -- evaluation under FGSM, PGD, PGD+BPDA and a gradient-free attack.
"""
