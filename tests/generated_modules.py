"""Write generated test programs to module files and import them (s2sgrad reads source)."""
import importlib.util
import itertools
import os
import sys

_counter = itertools.count()


def load_function(source, directory, prefix, name='f'):
    """Write `source` to a new module file in `directory`, import it, return its `name`."""
    module_name = f'{prefix}_{os.getpid()}_{next(_counter)}'
    path = os.path.join(directory, module_name + '.py')
    with open(path, 'w') as fh:
        fh.write(source)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return getattr(module, name)
