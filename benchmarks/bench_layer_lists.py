"""Gradient time of an MLP whose layers a list holds (each call tested for its kind) against
the same layers held in attributes: ``python benchmarks/bench_layer_lists.py``."""
import os
import sys
import timeit

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import s2sgrad  # noqa: E402


class Dense:
    def __init__(self, n, m, seed):
        rng = np.random.default_rng(seed)
        self.W = rng.standard_normal((n, m)) * 0.3
        self.b = np.zeros(m)

    def __call__(self, x):
        return np.tanh(x @ self.W + self.b)


class Tanh:
    def __call__(self, x):
        return np.tanh(x)


class ListMLP:
    def __init__(self, layers):
        self.layers = layers

    def loss(self, x):
        for layer in self.layers:
            x = layer(x)
        return np.sum(x ** 2)


class AttributeMLP:
    def __init__(self, layers):
        self.l1, self.l2, self.l3 = layers

    def loss(self, x):
        return np.sum(self.l3(self.l2(self.l1(x))) ** 2)


def main():
    print('| batch | model | list (us) | attributes (us) | list / attributes |')
    print('| ---: | --- | ---: | ---: | ---: |')
    for batch in (1, 256):
        x = np.random.default_rng(0).standard_normal((batch, 64))
        for label, layers in [('3 Dense', [Dense(64, 64, 0), Dense(64, 64, 1), Dense(64, 8, 2)]),
                              ('Dense, Tanh, Dense', [Dense(64, 64, 0), Tanh(),
                                                      Dense(64, 8, 2)])]:
            times = []
            for model in (ListMLP(layers), AttributeMLP(layers)):
                grad = s2sgrad.grad(model.loss)
                grad(x)
                times.append(min(timeit.repeat(lambda: grad(x), number=200, repeat=7)) / 200)
            print(f'| {batch} | {label} | {times[0] * 1e6:.1f} | {times[1] * 1e6:.1f} | '
                  f'{times[0] / times[1]:.2f} |')


if __name__ == '__main__':
    main()
