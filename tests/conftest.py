"""Test-session settings: numba compiles the tests' code without LLVM's optimisation passes."""
import os
import tempfile

# The compiled path's tests check the numbers compiled code computes, which LLVM's optimisation
# level does not change (numba compiles without fast-math); at level 0 numba compiles in about
# half the time, most of those tests' time. Kernels that numba caches on disk go to a folder of
# their own per level, so that code run later in this checkout at the default level never loads
# one compiled at level 0. A test of tests/test_numba.py compiles gradients at numba's default
# level in a process of its own (test_the_default_optimisation_level_gives_the_same_numbers);
# S2SGRAD_TEST_NUMBA_OPT=3 runs every test at that level. (Set before numba is imported.)
_LEVEL = os.environ.get('S2SGRAD_TEST_NUMBA_OPT', '0')
os.environ.setdefault('NUMBA_OPT', _LEVEL)
os.environ.setdefault('NUMBA_CACHE_DIR', os.path.join(
    tempfile.gettempdir(), f's2sgrad-tests-numba-cache-O{os.environ["NUMBA_OPT"]}'))
