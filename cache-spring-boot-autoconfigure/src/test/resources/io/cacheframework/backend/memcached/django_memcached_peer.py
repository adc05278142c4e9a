"""A real Django application on a memcached cluster: the peer of MemcachedDjangoSharingTests.

usage: django_memcached_peer.py BACKEND LOCATION COMMAND [ARG...]

BACKEND   pymemcache: django.core.cache.backends.memcached.PyMemcacheCache with Django's defaults;
          pylibmc: PyLibMCCache with default behaviours (modula);
          pylibmc-ketama: PyLibMCCache with OPTIONS={"behaviors": {"ketama": True}};
          pylibmc-ketama-eject: as pylibmc-ketama, plus libmemcached's auto-eject (remove_failed)
LOCATION  the servers, comma-separated, as Django's LOCATION takes them

COMMAND   write PREFIX N: cache.set(PREFIX + i, "value-" + i) for i < N
          read PREFIX N: one line a key: the value, or <missing>
          write-down DOWN PREFIX N: as write, with server DOWN (an index of LOCATION) stopped by the caller: first
              lets the client eject it the way it does on its own (pymemcache: its retry counting; pylibmc with
              remove_failed: failed connects), then writes; prints the keys whose set raised, one a line
          write-typed: the values of TYPED below, each under its name
          write-hostile KEY MARKER: a pickle that, unpickled, runs os.system("touch MARKER")
          describe KEY...: one line a key: the type name and repr() of the value, or <missing>
"""
import datetime
import decimal
import os
import sys
import time

import django
from django.conf import settings

BACKENDS = {
    "pymemcache": ("django.core.cache.backends.memcached.PyMemcacheCache", {}),
    "pylibmc": ("django.core.cache.backends.memcached.PyLibMCCache", {}),
    "pylibmc-ketama": ("django.core.cache.backends.memcached.PyLibMCCache", {"behaviors": {"ketama": True}}),
    "pylibmc-ketama-eject": ("django.core.cache.backends.memcached.PyLibMCCache",
                             {"behaviors": {"ketama": True, "remove_failed": 1, "failure_limit": 1,
                                            "dead_timeout": 60}}),
}

MISSING = object()


def typed():
    return {
        "dict": {"int": 42, "negative": -7, "long": 2 ** 40, "float": 1.5, "none": None, "true": True,
                 "false": False, "text": "h\u00e9llo \u2713", "big": 2 ** 70},
        "tuple": (1, "two", 3.0),
        "set": {1, 2, 3},
        "naive": datetime.datetime(2024, 2, 29, 13, 14, 15, 123456),
        "utc": datetime.datetime(2024, 2, 29, 13, 14, 15, 123456, tzinfo=datetime.timezone.utc),
        "date": datetime.date(2024, 2, 29),
        "timedelta": datetime.timedelta(days=1, seconds=3, microseconds=5),
        "decimal": decimal.Decimal("3.14159"),
    }


class Hostile:
    """What an attacker who can write to memcached plants: unpickling it runs a shell command."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ("touch " + self.marker,))


def eject(cache, backend, down, keys):
    """Let the client drop server DOWN as it does on its own, calling it for one of its keys until it is gone."""
    if backend == "pymemcache":
        client = cache._cache
        names = list(client.clients.keys())
        name = names[down]
        key = next(k for k in keys if client.hasher.get_node(cache.make_key(k)) == name)
        deadline = time.time() + 15
        while name in client.hasher.nodes and time.time() < deadline:
            try:
                cache.get(key)
            except Exception:
                pass
            time.sleep(0.2)
        if name in client.hasher.nodes:
            sys.exit("pymemcache did not remove %s from its hasher" % name)
    elif backend == "pylibmc-ketama-eject":
        client = cache._cache
        key = next(k for k in keys if client.hash(cache.make_key(k)) == down)
        for _ in range(3):
            try:
                cache.get(key)
            except Exception:
                pass
        if client.hash(cache.make_key(key)) == down:
            sys.exit("pylibmc did not eject server %d" % down)


def main(args):
    backend, location, command, rest = args[0], args[1], args[2], args[3:]
    engine, options = BACKENDS[backend]
    settings.configure(CACHES={"default": {"BACKEND": engine, "LOCATION": location.split(","),
                                           "OPTIONS": options}})
    django.setup()
    from django.core.cache import cache

    out = []
    if command == "write":
        prefix, count = rest[0], int(rest[1])
        for i in range(count):
            cache.set("%s%d" % (prefix, i), "value-%d" % i)
    elif command == "read":
        prefix, count = rest[0], int(rest[1])
        for i in range(count):
            value = cache.get("%s%d" % (prefix, i), MISSING)
            out.append("<missing>" if value is MISSING else str(value))
    elif command == "write-down":
        down, prefix, count = int(rest[0]), rest[1], int(rest[2])
        keys = ["%s%d" % (prefix, i) for i in range(count)]
        eject(cache, backend, down, keys)
        for i, key in enumerate(keys):
            try:
                cache.set(key, "value-%d" % i)
            except Exception:
                out.append(key)
    elif command == "write-typed":
        for name, value in typed().items():
            cache.set(name, value)
    elif command == "write-hostile":
        cache.set(rest[0], Hostile(rest[1]))
    elif command == "describe":
        for key in rest:
            value = cache.get(key, MISSING)
            out.append("<missing>" if value is MISSING else "%s %r" % (type(value).__name__, value))
    else:
        sys.exit("unknown command " + command)
    sys.stdout.write("".join("%s\n" % line for line in out))


if __name__ == "__main__":
    main(sys.argv[1:])
