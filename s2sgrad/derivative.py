"""`Derivative`: what the differentiation step of the pipeline hands to the optimiser."""
from collections import namedtuple

Derivative = namedtuple('Derivative', 'node seed_name tangent_names keep stacks')
Derivative.__doc__ = """A generated FunctionDef `node`; the name of its seed keyword (reverse mode
with a given seed) or None; the tangent keyword of each `wrt` parameter (forward mode) or None;
the names the optimiser must keep; the names of the lists the reverse pass saves values on."""
