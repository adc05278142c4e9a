# Reads "<name> <hex>" lines (pickles written by PickleWriter) and checks that Python reads each as the expected
# value with the expected types, through pickle.loads, through the deserializer of Django's PyMemcacheCache
# (pymemcache.serde.pickle_serde, flag 1) and as Django's RedisSerializer.loads does. Prints "ok <name>" per value.
import datetime as dt
import decimal
import math
import pickle
import sys
from datetime import timedelta, timezone

from pymemcache.serde import pickle_serde

MAGIC = b'\x00cache-spring-boot:java\x00'


def offset(**kwargs):
    return timezone(timedelta(**kwargs))


EXPECTED = {
    'map': {
        'int': 7, 'long': 5_000_000_000, 'short': 3, 'byte': -2, 'bigint': 2**100, 'neg_bigint': -2**70,
        'long_min': -2**63, 'double': 1.5, 'float': 0.5, 'nan': float('nan'), 'negzero': -0.0,
        'inf': float('inf'), 'true': True, 'false': False, 'null': None, 'string': 'h\u00e9llo \u20ac\U0001F600',
        'lone_surrogate': '\ud800x', 'empty': '', 'decimal': decimal.Decimal('-1.50'),
        'decimal_exp': decimal.Decimal('1E+3'), 'decimal_small': decimal.Decimal('1.23E-7'),
    },
    'list': [1, 'two', 3.0],
    'set': {1, 2, 3},
    'array': [1, 'a'],
    'int_array': [1, 2],
    'bytes': b'\x00\xffa',
    'long_bytes': bytes(range(256)) + b'\x00' * 44,
    'long_string': 'x' * 300,
    'date': dt.date(2024, 2, 29),
    'time': dt.time(13, 14, 15, 16),
    'datetime': dt.datetime(2024, 1, 2, 3, 4, 5, 678901),
    'utc': dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc),
    'offset': dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=offset(hours=-5, minutes=-30)),
    'instant': dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc),
    'zoned': dt.datetime(2024, 7, 1, 12, 0, tzinfo=offset(hours=2)),
    'offset_time': dt.time(1, 2, 3, tzinfo=offset(hours=1)),
    'duration': timedelta(days=-1, seconds=5, microseconds=7),
    'duration_max': timedelta.max,
    'duration_min': timedelta.min,
    'nested': {'a': [1, [2, {'b': [3]}]], 'c': {}, 'd': []},
    'keys': {1: 'int', (1, 'two'): 'tuple', frozenset([3]): 'frozenset', None: 'none', 2.5: 'float',
             b'k': 'bytes', dt.date(2024, 1, 1): 'date', ((1, 2), 'x'): 'nested tuple'},
    'null': None,
    'bool': True,
    'many': list(range(2500)),
    'bigmap': {'k%d' % i: i for i in range(1500)},
    'many_offsets': [dt.datetime(2024, 1, 1, tzinfo=offset(minutes=m)) for m in range(-150, 150)] * 2,
}


def same(actual, expected):
    """Equal values of exactly the same types, recursively; floats by bits (NaN, -0.0), times with their offsets."""
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, float):
        if math.isnan(expected):
            return math.isnan(actual)
        return actual == expected and math.copysign(1, actual) == math.copysign(1, expected)
    if isinstance(expected, (dt.datetime, dt.time)):
        return actual == expected and actual.utcoffset() == expected.utcoffset()
    if isinstance(expected, decimal.Decimal):
        return actual.as_tuple() == expected.as_tuple()
    if isinstance(expected, (list, tuple)):
        return len(actual) == len(expected) and all(same(a, e) for a, e in zip(actual, expected))
    if isinstance(expected, dict):
        return (list(map(type, actual)) == list(map(type, expected)) and list(actual) == list(expected)
                and all(same(actual[k], expected[k]) for k in expected))
    if isinstance(expected, (set, frozenset)):
        return actual == expected and sorted(map(repr, actual)) == sorted(map(repr, expected))
    return actual == expected


def redis_serializer_loads(data):
    # django.core.cache.backends.redis.RedisSerializer.loads (Django 4.0+).
    try:
        return int(data)
    except ValueError:
        return pickle.loads(data)


failed = False
for line in sys.stdin:
    name, data = line.split()
    data = bytes.fromhex(data)
    if name == 'envelope':
        value = pickle.loads(data)
        ok = type(value) is bytes and value.startswith(MAGIC) and len(value) > len(MAGIC)
    else:
        value = pickle.loads(data)
        ok = (same(value, EXPECTED[name]) and same(pickle_serde.deserialize(b'key', data, 1), EXPECTED[name])
              and same(redis_serializer_loads(data), EXPECTED[name]))
    if name == 'utc':
        ok = ok and value.tzinfo is timezone.utc
    print(('ok ' if ok else 'FAILED ') + name + ('' if ok else ' ' + repr(value)))
    failed = failed or not ok
sys.exit(1 if failed else 0)
