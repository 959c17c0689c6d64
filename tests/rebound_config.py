"""A module of settings another module's function reads by attribute
(tests/test_rebound_functions.py)."""
import numpy as np

ACT = np.tanh
