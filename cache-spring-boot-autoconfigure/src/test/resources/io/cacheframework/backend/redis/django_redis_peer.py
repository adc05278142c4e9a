# A Django 6.1 RedisCache peer for RedisDjangoInteropTests, on redis-py (Debian's python3-redis; Debian's Django 3.2
# predates RedisCache). It follows django/core/cache/backends/redis.py and base.py of Django 6.1 rule for rule:
# RedisSerializer (an int exactly as int is stored unpickled, everything else pickled with HIGHEST_PROTOCOL; loads
# tries int(data) first), make_key (KEY_PREFIX:VERSION:key), get_backend_timeout (None -> persist, else
# max(0, int(t)); 0 deletes), add (SET NX, then DELETE for timeout 0), incr (EXISTS, then INCRBY, ValueError
# "Key '<made key>' not found."), set_many (MSET + EXPIRE per key in one pipeline), LOCATION split on [;,] with the
# first server for writes and a random other for reads.
#
# Usage: django_redis_peer.py LOCATION KEY_PREFIX VERSION < requests, one JSON object per line; prints one JSON
# answer per request: {"ok": <typed value>} or {"error": "<exception class>: <message>"}.
import json
import pickle
import random
import re
import os
import sys
import types
import warnings

import redis

DEFAULT_TIMEOUT = object()
MEMCACHE_MAX_KEY_LENGTH = 250


class RedisSerializer:
    def __init__(self, protocol=None):
        self.protocol = pickle.HIGHEST_PROTOCOL if protocol is None else protocol

    def dumps(self, obj):
        if type(obj) is int:
            return obj
        return pickle.dumps(obj, self.protocol)

    def loads(self, data):
        try:
            return int(data)
        except ValueError:
            return pickle.loads(data)


class RedisCacheClient:
    def __init__(self, servers):
        self._servers = servers
        self._pools = {}
        self._serializer = RedisSerializer()

    def _get_connection_pool_index(self, write):
        if write or len(self._servers) == 1:
            return 0
        return random.randint(1, len(self._servers) - 1)

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        if index not in self._pools:
            self._pools[index] = redis.ConnectionPool.from_url(self._servers[index])
        return redis.Redis(connection_pool=self._pools[index])

    def add(self, key, value, timeout):
        client = self.get_client(key, write=True)
        value = self._serializer.dumps(value)
        if timeout == 0:
            if ret := bool(client.set(key, value, nx=True)):
                client.delete(key)
            return ret
        return bool(client.set(key, value, ex=timeout, nx=True))

    def get(self, key, default):
        client = self.get_client(key)
        value = client.get(key)
        return default if value is None else self._serializer.loads(value)

    def set(self, key, value, timeout):
        client = self.get_client(key, write=True)
        value = self._serializer.dumps(value)
        if timeout == 0:
            client.delete(key)
        else:
            client.set(key, value, ex=timeout)

    def touch(self, key, timeout):
        client = self.get_client(key, write=True)
        if timeout is None:
            return bool(client.persist(key))
        return bool(client.expire(key, timeout))

    def delete(self, key):
        return bool(self.get_client(key, write=True).delete(key))

    def get_many(self, keys):
        ret = self.get_client(None).mget(keys)
        return {k: self._serializer.loads(v) for k, v in zip(keys, ret) if v is not None}

    def has_key(self, key):
        return bool(self.get_client(key).exists(key))

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        if not client.exists(key):
            raise ValueError("Key '%s' not found." % key)
        return client.incr(key, delta)

    def set_many(self, data, timeout):
        client = self.get_client(None, write=True)
        pipeline = client.pipeline()
        pipeline.mset({k: self._serializer.dumps(v) for k, v in data.items()})
        if timeout is not None:
            for key in data:
                pipeline.expire(key, timeout)
        pipeline.execute()

    def delete_many(self, keys):
        self.get_client(None, write=True).delete(*keys)

    def clear(self):
        return bool(self.get_client(None, write=True).flushdb())


class RedisCache:
    def __init__(self, server, key_prefix='', version=1, timeout=300):
        self._servers = re.split('[;,]', server)
        self.key_prefix = key_prefix
        self.version = version
        self.default_timeout = timeout
        self._cache = RedisCacheClient(self._servers)

    def make_key(self, key, version=None):
        return '%s:%s:%s' % (self.key_prefix, self.version if version is None else version, key)

    def validate_key(self, key):
        if len(key) > MEMCACHE_MAX_KEY_LENGTH:
            warnings.warn('Cache key will cause errors if used with memcached: %r (longer than %s)'
                          % (key, MEMCACHE_MAX_KEY_LENGTH))
        if any(ord(char) < 33 or ord(char) == 127 for char in key):
            warnings.warn('Cache key contains characters that will cause errors if used with memcached: %r' % key)

    def make_and_validate_key(self, key, version=None):
        key = self.make_key(key, version=version)
        self.validate_key(key)
        return key

    def get_backend_timeout(self, timeout=DEFAULT_TIMEOUT):
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        return None if timeout is None else max(0, int(timeout))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._cache.add(key, value, self.get_backend_timeout(timeout))

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._cache.get(key, default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        self._cache.set(key, value, self.get_backend_timeout(timeout))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._cache.touch(key, self.get_backend_timeout(timeout))

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._cache.delete(key)

    def get_many(self, keys, version=None):
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        ret = self._cache.get_many(key_map.keys())
        return {key_map[k]: v for k, v in ret.items()}

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._cache.has_key(key)

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._cache.incr(key, delta)

    def decr(self, key, delta=1, version=None):
        return self.incr(key, -delta, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        if not data:
            return []
        safe_data = {self.make_and_validate_key(key, version=version): value for key, value in data.items()}
        self._cache.set_many(safe_data, self.get_backend_timeout(timeout))
        return []

    def delete_many(self, keys, version=None):
        if not keys:
            return
        self._cache.delete_many([self.make_and_validate_key(key, version=version) for key in keys])

    def clear(self):
        return self._cache.clear()


class Evil:
    """A pickle that runs a function when unpickled: what an attacker who can write to Redis plants."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


models = sys.modules.setdefault('myapp', types.ModuleType('myapp'))
models = sys.modules.setdefault('myapp.models', types.ModuleType('myapp.models'))


class Person:
    """Stands for a Django model instance: Django reads it back, a Java peer must not construct it."""

    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return isinstance(other, Person) and other.name == self.name


Person.__module__ = 'myapp.models'
models.Person = Person


def to_python(typed):
    kind = typed['t']
    if kind == 'none':
        return None
    if kind == 'bytes':
        return bytes.fromhex(typed['v'])
    if kind == 'dict':
        return {key: to_python(value) for key, value in typed['v'].items()}
    if kind == 'list':
        return [to_python(value) for value in typed['v']]
    if kind == 'timeout':
        return DEFAULT_TIMEOUT if typed['v'] == 'default' else typed['v']
    return {'str': str, 'int': int, 'bool': bool, 'float': float}[kind](typed['v'])


def to_json(value):
    if value is None:
        return {'t': 'none'}
    if type(value) is bool:
        return {'t': 'bool', 'v': value}
    if type(value) is int:
        return {'t': 'int', 'v': str(value)}
    if type(value) is float:
        return {'t': 'float', 'v': repr(value)}
    if type(value) is str:
        return {'t': 'str', 'v': value}
    if type(value) is bytes:
        return {'t': 'bytes', 'v': value.hex()}
    if type(value) is dict:
        return {'t': 'dict', 'v': {str(key): to_json(item) for key, item in value.items()}}
    if type(value) is list:
        return {'t': 'list', 'v': [to_json(item) for item in value]}
    return {'t': 'other', 'type': type(value).__name__, 'v': repr(value)}


def main():
    location, key_prefix, version = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cache = RedisCache(location, key_prefix=key_prefix, version=version)
    raw = redis.Redis.from_url(location.split(',')[0].split(';')[0])
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        op = request['op']
        timeout = to_python(request['timeout']) if 'timeout' in request else DEFAULT_TIMEOUT
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                if op == 'set':
                    result = cache.set(request['key'], to_python(request['value']), timeout)
                elif op == 'add':
                    result = cache.add(request['key'], to_python(request['value']), timeout)
                elif op == 'get':
                    result = cache.get(request['key'], request.get('default'))
                elif op == 'repr':
                    result = repr(cache.get(request['key']))
                elif op == 'incr':
                    result = cache.incr(request['key'], request.get('delta', 1))
                elif op == 'decr':
                    result = cache.decr(request['key'], request.get('delta', 1))
                elif op == 'delete':
                    result = cache.delete(request['key'])
                elif op == 'has_key':
                    result = cache.has_key(request['key'])
                elif op == 'get_many':
                    result = cache.get_many(request['keys'])
                elif op == 'set_many':
                    result = cache.set_many({k: to_python(v) for k, v in request['values'].items()}, timeout)
                elif op == 'touch':
                    result = cache.touch(request['key'], timeout)
                elif op == 'clear':
                    result = cache.clear()
                elif op == 'ttl':
                    result = raw.ttl(request['key'])
                elif op == 'raw_get':
                    value = raw.get(request['key'])
                    result = None if value is None else value
                elif op == 'plant_system':
                    # Django's own get would run this; the marker file shows whether anything did.
                    result = cache.set(request['key'], Evil(os.system, 'touch ' + request['marker']))
                elif op == 'plant_model':
                    result = cache.set(request['key'], Person(request['name']))
                elif op == 'get_model':
                    value = cache.get(request['key'])
                    result = value.name if isinstance(value, Person) else None
                elif op == 'raw_set':
                    result = bool(raw.set(request['key'], bytes.fromhex(request['hex'])))
                else:
                    raise ValueError('unknown op ' + op)
            answer = {'ok': to_json(result)}
        except Exception as ex:
            answer = {'error': '%s: %s' % (type(ex).__name__, ex)}
        print(json.dumps(answer), flush=True)


if __name__ == '__main__':
    main()
