"""A module of settings that compiled code reads as attributes (``cfg.K``): numba freezes them,
for tests/test_numba_frozen_values.py."""
import numpy as np

K = 2.0
W = np.array([1.0, 2.0])
L = [1.0, 2.0]

import types as _types  # noqa: E402

settings = _types.ModuleType('frozen_config.settings')  # (a module of a module: cfg.settings.K)
settings.K = 3.0
