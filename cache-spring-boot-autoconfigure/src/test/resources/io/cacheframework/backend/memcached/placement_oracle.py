"""Where Django's memcached clients put keys: the oracle of DjangoClientPlacementTests.

usage: placement_oracle.py MODE PLACEMENT KEYFILE SERVER...

MODE          versions: the library versions; hash: each key's server as the client computes it, no I/O;
              libhashkit: libhashkit's own one-at-a-time and MD5 values of each key (PLACEMENT and SERVER unused);
              store: set each key through the client, then ask every server with plain single-server gets;
              store-down:I: as store, after the client has ejected server I (which the caller has stopped)
PLACEMENT     rendezvous: pymemcache HashClient, as Django's PyMemcacheCache builds it;
              ketama, ketama_weighted, modula: pylibmc with {"ketama": True}, {"ketama_weighted": True}, no behaviours,
              as Django's PyLibMCCache builds it
KEYFILE       one key a line, as hex of its UTF-8 bytes
SERVER        LOCATION entries as Django takes them

Prints one line a key: its server's index, -1 where no server holds it (libhashkit: two hex values).
"""
import ctypes
import sys
import time

import pylibmc
import pymemcache
from pymemcache.client.base import Client as SingleClient, normalize_server_spec
from pymemcache.client.hash import HashClient

BEHAVIORS = {"ketama": {"ketama": True}, "ketama_weighted": {"ketama_weighted": True}, "modula": {}}

# Eject a server at its first failed connect and keep it out for a minute.
EJECT = {"remove_failed": 1, "failure_limit": 1, "dead_timeout": 60}


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(2)


def pymemcache_client(servers, **extra):
    # Django's PyMemcacheCache: HashClient(servers, **OPTIONS) over these defaults.
    return HashClient(servers, allow_unicode_keys=True, default_noreply=False, **extra)


def pylibmc_client(servers, behaviors):
    # Django's PyLibMCCache drops "unix:" and hands OPTIONS (here the behaviours) to pylibmc.
    return pylibmc.Client([s[5:] if s.startswith("unix:") else s for s in servers], behaviors=behaviors)


def node_names(client, servers):
    return [client._make_client_key(normalize_server_spec(s)) for s in servers]


def plain_address(server):
    # Loopback TCP servers, possibly with a pylibmc weight: host:port[:weight].
    host, port = server.split(":")[:2]
    return (host, int(port))


def hash_mode(placement, keys, servers):
    if placement == "rendezvous":
        client = pymemcache_client(servers)
        names = node_names(client, servers)
        return [names.index(client.hasher.get_node(key)) for key in keys]
    client = pylibmc_client(servers, BEHAVIORS[placement])
    return [client.hash(key) for key in keys]


def libhashkit_mode(keys):
    library = ctypes.CDLL("libhashkit.so.2")
    lines = []
    functions = [library.libhashkit_one_at_a_time, library.libhashkit_md5]
    for function in functions:
        function.restype = ctypes.c_uint32
        function.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    for key in keys:
        data = key.encode("utf-8")
        lines.append(" ".join("%08x" % function(data, len(data)) for function in functions))
    return lines


def eject_pymemcache(client, names, down, keys):
    # Django's counting (retry_attempts=2), without waiting a second between attempts (retry_timeout=0).
    key = next(k for k in keys if client.hasher.get_node(k) == names[down])
    for _ in range(10):
        if names[down] not in client.hasher.nodes:
            return
        try:
            client.get(key)
        except Exception:
            pass
        time.sleep(0.01)
    fail("pymemcache did not remove %s from its hasher" % names[down])


def eject_pylibmc(client, down, keys, placement):
    key = next(k for k in keys if client.hash(k) == down)
    for _ in range(3):
        try:
            client.get(key)
        except pylibmc.Error:
            pass
    if placement != "modula" and client.hash(key) == down:
        fail("pylibmc did not eject server %d" % down)


def store_mode(placement, keys, servers, down):
    live = [i for i in range(len(servers)) if i != down]
    for i in live:
        # Waiting for the reply: a flush still queued on its connection would drop keys set on another one.
        flusher = SingleClient(plain_address(servers[i]))
        flusher.flush_all(noreply=False)
        flusher.close()
    if placement == "rendezvous":
        extra = {"retry_timeout": 0} if down is not None else {}
        client = pymemcache_client(servers, **extra)
        if down is not None:
            eject_pymemcache(client, node_names(client, servers), down, keys)
        errors = (Exception,)
    else:
        behaviors = dict(BEHAVIORS[placement])
        if down is not None:
            behaviors.update(EJECT)
        client = pylibmc_client(servers, behaviors)
        if down is not None:
            eject_pylibmc(client, down, keys, placement)
        errors = (pylibmc.Error,)
    for key in keys:
        try:
            client.set(key, b"1")
        except errors:
            # The server of this key is down and the client did not move it: no server holds it.
            if down is None:
                raise
    owner = {}
    for i in live:
        reader = SingleClient(plain_address(servers[i]), allow_unicode_keys=True)
        for start in range(0, len(keys), 100):
            for key in reader.get_many(keys[start:start + 100]):
                if key in owner:
                    fail("%r is on servers %d and %d" % (key, owner[key], i))
                owner[key] = i
    return [owner.get(key, -1) for key in keys]


def main(args):
    mode = args[0]
    if mode == "versions":
        print("pymemcache %s, pylibmc %s, libmemcached %s"
              % (pymemcache.__version__, pylibmc.__version__, pylibmc.libmemcached_version))
        return
    placement, key_file, servers = args[1], args[2], args[3:]
    with open(key_file, encoding="ascii") as lines:
        keys = [bytes.fromhex(line.strip()).decode("utf-8") for line in lines if line.strip()]
    if mode == "hash":
        result = hash_mode(placement, keys, servers)
    elif mode == "libhashkit":
        result = libhashkit_mode(keys)
    elif mode == "store":
        result = store_mode(placement, keys, servers, None)
    elif mode.startswith("store-down:"):
        result = store_mode(placement, keys, servers, int(mode[len("store-down:"):]))
    else:
        fail("unknown mode " + mode)
    sys.stdout.write("".join("%s\n" % line for line in result))


if __name__ == "__main__":
    main(sys.argv[1:])
