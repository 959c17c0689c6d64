"""`Generated`: one generated function, its source, AST, compiled function and what it pins."""


class Generated:
    """A generated function's name, source, AST and the objects its namespace needs."""

    def __init__(self, name, node, namespace, seed_name=None, returns=None):
        self.name = name
        self.node = node
        self.namespace = namespace
        self.seed_name = seed_name
        self.returns = returns
        self.function = None
        self.source = None
        self.helpers = []
