"""Test-session settings: numba without LLVM's optimisation passes; the cache of generated code;
the garbage collector's generations."""
import gc
import os
import tempfile
import weakref

import pytest

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

from s2sgrad import api  # noqa: E402  (after the numba settings)
from s2sgrad.cache import Cache  # noqa: E402

# A test process makes thousands of generated functions, and the files differentiate the same
# functions again (the corpus: by test_corpus, test_oracle, test_printed, test_dask, ...): with
# the library's bound of 256 (`s2sgrad.cache.LIMIT`) many were made again (about a tenth of the
# transformations). A cached function is the one the same request made before, so the
# tests keep up to 16,384 (some 50 KB each); test_cache.py and the test of the bound in
# test_api_callables.py check the bound itself.
api._BUILDER.cache.limit = 16384


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After each test's teardown: collect what it left (only the objects made since the
    previous test's end are looked at), then set what is left aside for good (`gc.freeze`).

    The generated functions the cache keeps (above) are millions of AST nodes, and each full
    collection of Python's collector looks at every object alive: about 16 of them in a
    process's share of the suite took 7 s of every 117 (test_oracle.py and test_corpus.py in
    one process), and all collections 10 s. Collected here, each object is looked at once or
    twice: 108 s for the same tests, and less memory. (An object set aside is still freed
    when nothing refers to it; one in a reference cycle that dies later stays in memory. The
    tests that check what a dropped function frees make and drop theirs within the test.)"""
    yield
    gc.collect()
    gc.freeze()


@pytest.fixture
def private_cache():
    """The generated functions of the test in a cache of their own, dropped after it: its
    ``s2sgrad.clear_cache()`` calls (to generate again from nothing), or the hundreds of
    closures it differentiates, then push out only what the test made, not the functions the
    other tests of the process generated and will ask for again."""
    builder = api._BUILDER
    with api._LOCK:
        shared = builder.cache, builder.parts
        builder.cache, builder.parts = Cache(shared[0].limit), weakref.WeakValueDictionary()
    try:
        yield
    finally:
        with api._LOCK:
            builder.cache, builder.parts = shared


_LONGEST_FIRST = ('test_numba.py', 'test_standalone.py', 'test_api_probes.py',
                  'test_api_callables.py', 'test_examples.py', 'test_numba_layouts.py')
"""Files holding the suite's longest single tests (13-26 s each: numba compiles, subprocesses,
hundreds of closures), handed out first: xdist gives tests to its workers in collection order,
and one of them left near the end keeps one worker busy while the other waits."""

_CORPUS_NEXT = ('test_oracle.py', 'test_corpus.py')
"""Files that differentiate the corpus again, as test_standalone.py's helper census does
(`s2sgrad.grad` and `s2sgrad.jvp` of every corpus function): next after `_LONGEST_FIRST`.
xdist's work-stealing hands each worker a contiguous part of the collection, so they
run in the same process as the census and find its functions in the cache (about 30 s of
transformations a run made twice, once in each worker, when they fell to the other)."""


def pytest_collection_modifyitems(session, config, items):
    """The tests of `_LONGEST_FIRST` first, then those of `_CORPUS_NEXT`, each file's in its
    order; the others after."""
    def rank(item):
        name = os.path.basename(str(item.fspath))
        return 0 if name in _LONGEST_FIRST else 1 if name in _CORPUS_NEXT else 2
    items.sort(key=rank)
