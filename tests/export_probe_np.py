"""A file of the user's that binds `np` to something other than NumPy."""
np = 2.0


def scaled(x):
    return x * np
