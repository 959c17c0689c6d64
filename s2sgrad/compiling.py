"""Compile generated source into a function whose source `inspect` and tracebacks can show."""
import hashlib
import linecache


def compile_function(source, name, namespace):
    """Execute `source` (defining function `name`) in `namespace` and return the function.

    The source is registered in `linecache` under a stable pseudo-filename, so
    ``inspect.getsource``, tracebacks and ``pdb`` show the generated code.
    """
    digest = hashlib.sha1(source.encode()).hexdigest()[:10]
    filename = f'<s2sgrad {name} {digest}>'
    lines = source.splitlines(True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    code = compile(source, filename, 'exec')
    exec(code, namespace)
    func = namespace[name]
    func.source = source
    return func
