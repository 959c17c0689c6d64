"""The cache of generated functions: bounded, and holding the functions they came from weakly."""
import weakref
from collections import OrderedDict

LIMIT = 256
"""How many generated functions (gradients and helper VJPs) the cache keeps at most."""


class Cache:
    """Generated functions by key, least recently used first out.

    A key is a tuple whose second item is the Python function (or other object) the
    generated code was made from. The cache holds that object weakly: once the program drops
    a function (a closure, a lambda, a redefined function), its entries go too. At most
    `limit` entries are kept; a dropped entry is simply generated again when asked for.
    """

    def __init__(self, limit=LIMIT):
        self.limit = limit
        self._entries = OrderedDict()
        self._owners = {}   # id(owner) -> weak reference (its callback marks the id dead)
        self._dead = []     # ids whose owner was collected, purged on the next access

    def _internal(self, key):
        """`key` with its owner replaced by the owner's id (once a weak reference is held)."""
        if len(key) < 2 or isinstance(key[1], _Owner):
            return key
        owner = key[1]
        ident = id(owner)
        if ident not in self._owners:
            try:
                self._owners[ident] = weakref.ref(owner, lambda _, i=ident: self._dead.append(i))
            except TypeError:  # not weakly referable: held by the key (bounded by `limit`)
                return key
        return key[:1] + (_Owner(ident),) + key[2:]

    def _purge(self):
        while self._dead:
            ident = self._dead.pop()
            self._owners.pop(ident, None)
            for key in [k for k in self._entries if isinstance(k[1], _Owner) and
                        k[1].ident == ident]:
                del self._entries[key]

    def get(self, key, default=None):
        """The entry for `key` (now the most recently used), or `default`."""
        self._purge()
        key = self._internal(key)
        if key not in self._entries:
            return default
        self._entries.move_to_end(key)
        return self._entries[key]

    def __setitem__(self, key, generated):
        self._purge()
        key = self._internal(key)
        self._entries[key] = generated
        self._entries.move_to_end(key)
        while len(self._entries) > self.limit:
            self._entries.popitem(last=False)

    def __delitem__(self, key):
        self._purge()
        self._entries.pop(self._internal(key), None)

    def __contains__(self, key):
        self._purge()
        return self._internal(key) in self._entries

    def __iter__(self):
        self._purge()
        return iter(list(self._entries))

    def __len__(self):
        self._purge()
        return len(self._entries)

    def clear(self):
        """Forget every entry."""
        self._entries.clear()
        self._owners.clear()
        self._dead.clear()


class _Owner:
    """Stands for a weakly held function inside a cache key."""

    __slots__ = ('ident',)

    def __init__(self, ident):
        self.ident = ident

    def __eq__(self, other):
        return isinstance(other, _Owner) and other.ident == self.ident

    def __hash__(self):
        return hash(('owner', self.ident))
