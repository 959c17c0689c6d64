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
        self._keys = {}     # id(owner) -> the keys of its entries
        self._dead = []     # ids whose owner was collected, purged on the next access
        self.journal = None  # when a list, the keys of the entries added, in order

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
            for key in self._keys.pop(ident, ()):
                self._entries.pop(key, None)

    def _drop(self, key):
        """Forget the entry of the internal key `key`."""
        self._entries.pop(key, None)
        owner = _owner(key)
        if owner is not None:
            keys = self._keys.get(owner.ident)
            if keys is not None:
                keys.discard(key)

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
        if key not in self._entries:
            if self.journal is not None:
                self.journal.append(key)
            owner = _owner(key)
            if owner is not None:
                self._keys.setdefault(owner.ident, set()).add(key)
        self._entries[key] = generated
        self._entries.move_to_end(key)
        while len(self._entries) > self.limit:
            self._drop(next(iter(self._entries)))

    def __delitem__(self, key):
        self._purge()
        self._drop(self._internal(key))

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
        self._keys.clear()
        self._dead.clear()


def _owner(key):
    """The `_Owner` of the internal key `key`, or None for a key that holds no function
    weakly."""
    owner = key[1] if len(key) > 1 else None
    return owner if isinstance(owner, _Owner) else None


class _Owner:
    """Stands for a weakly held function inside a cache key."""

    __slots__ = ('ident',)

    def __init__(self, ident):
        self.ident = ident

    def __eq__(self, other):
        return isinstance(other, _Owner) and other.ident == self.ident

    def __hash__(self):
        return hash(('owner', self.ident))
