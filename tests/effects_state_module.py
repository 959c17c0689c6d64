"""A module of the user's that holds an array (for tests/test_list_arguments.py)."""
import numpy as np

buf = np.zeros(3)
