# Prints "<name> <protocol> <hex>" for each value pickled with protocols 0-5, with the serializer Django's
# PyMemcacheCache uses (pymemcache.serde.pickle_serde, flag 1 only) and as Django's RedisSerializer pickles
# (pickle.HIGHEST_PROTOCOL for everything but a plain int). Read by PicklePythonTests.
import datetime as dt
import decimal
import pickle
import sys
import types
import zoneinfo
from datetime import timedelta, timezone

from pymemcache.serde import pickle_serde

# pytz is not installed: these stand-ins reduce exactly as pytz's UTC, DstTzInfo, StaticTzInfo and _FixedOffset do
# (pytz/__init__.py, pytz/tzinfo.py), so the pickles are the bytes pytz would produce.
pytz = types.ModuleType('pytz')


def _register(function):
    function.__module__ = 'pytz'
    function.__qualname__ = function.__name__
    setattr(pytz, function.__name__, function)
    return function


@_register
def _UTC():
    raise AssertionError('never called')


@_register
def _p(*args):
    raise AssertionError('never called')


@_register
def FixedOffset(minutes):
    raise AssertionError('never called')


sys.modules['pytz'] = pytz


class StandInUtc(dt.tzinfo):
    def utcoffset(self, value):
        return timedelta(0)

    def __reduce__(self):
        return pytz._UTC, ()


class StandInDst(dt.tzinfo):
    def __init__(self, zone, utcoffset, dst, tzname):
        self.zone, self.offset, self.dst_seconds, self.name = zone, utcoffset, dst, tzname

    def utcoffset(self, value):
        return timedelta(seconds=self.offset)

    def __reduce__(self):
        return pytz._p, (self.zone, self.offset, self.dst_seconds, self.name)


class StandInStatic(dt.tzinfo):
    def __init__(self, zone, offset):
        self.zone, self.offset = zone, offset

    def utcoffset(self, value):
        return timedelta(seconds=self.offset)

    def __reduce__(self):
        return pytz._p, (self.zone,)


class StandInFixed(dt.tzinfo):
    def __init__(self, minutes):
        self.minutes = minutes

    def utcoffset(self, value):
        return timedelta(minutes=self.minutes)

    def __reduce__(self):
        return pytz.FixedOffset, (self.minutes,)


paris = zoneinfo.ZoneInfo('Europe/Paris')
shared = [1, 2]
VALUES = {
    'dict': {
        'int': 7, 'neg': -3, 'int32max': 2**31 - 1, 'int32over': 2**31, 'int32min': -2**31,
        'int32under': -2**31 - 1, 'int64max': 2**63 - 1, 'int64over': 2**63, 'int64min': -2**63,
        'big': 2**70, 'bigneg': -2**100, 'float': 1.5, 'tiny': 5e-324, 'inf': float('inf'),
        'ninf': float('-inf'), 'negzero': -0.0, 'none': None, 't': True, 'f': False,
        'str': 'h\u00e9llo \u20ac\U0001F600', 'escapes': 'a\\u0041\\\n\r\x1a\x00', 'empty': '',
    },
    'tuple': (1, 'a', None),
    'empty_tuple': (),
    'set': {1, 2, 3},
    'frozenset': frozenset(['x']),
    'empty_set': set(),
    'naive': dt.datetime(2024, 1, 2, 3, 4, 5, 678901),
    'utc': dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc),
    'offset': dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    'named_offset': dt.datetime(2000, 1, 1, tzinfo=timezone(timedelta(hours=1), 'CET')),
    'zoneinfo_summer': dt.datetime(2024, 7, 1, 12, 0, tzinfo=paris),
    'zoneinfo_gap': dt.datetime(2024, 3, 31, 2, 30, tzinfo=paris),
    'zoneinfo_fold': dt.datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=paris),
    'pytz_utc': dt.datetime(2020, 5, 6, 7, 8, 9, tzinfo=StandInUtc()),
    'pytz_dst': dt.datetime(2020, 5, 6, 7, 8, 9, tzinfo=StandInDst('Europe/Paris', 7200, 3600, 'CEST')),
    'pytz_static': dt.datetime(2020, 5, 6, 7, 8, 9, tzinfo=StandInStatic('Etc/GMT+5', -18000)),
    'pytz_fixed': dt.datetime(2020, 5, 6, 7, 8, 9, tzinfo=StandInFixed(330)),
    'date': dt.date(2024, 2, 29),
    'min_date': dt.date(1, 1, 1),
    'max_datetime': dt.datetime.max,
    'time': dt.time(13, 14, 15, 16),
    'time_utc': dt.time(1, 2, 3, tzinfo=timezone.utc),
    'timedelta': timedelta(days=-1, seconds=5, microseconds=7),
    'timedelta_max': timedelta.max,
    'timedelta_min': timedelta.min,
    'decimal': decimal.Decimal('-1.50'),
    'decimal_exp': decimal.Decimal('1E+3'),
    'decimal_small': decimal.Decimal('0.000000123'),
    'nested': {'a': [1, [2, {'b': (3, [4])}]], 'c': {}, 'd': []},
    'bytes': b'\x00\xffabc',
    'empty_bytes': b'',
    'long_bytes': bytes(range(256)) * 2,
    'bytearray': bytearray(b'xy'),
    'long_str': 'x' * 300,
    'str': 'hello',
    'none': None,
    'int': 42,
    'keys': {1: 'int', (1, 'two'): 'tuple', frozenset([3]): 'frozenset', None: 'none', 2.5: 'float',
             b'k': 'bytes', dt.date(2024, 1, 1): 'date'},
    'shared': [shared, shared],
    'list_of_dicts': [{'id': i, 'name': 'n%d' % i} for i in range(3)],
    'many': list(range(2500)),
    'bigdict': {'k%d' % i: i for i in range(1500)},
    'magic_bytes': b'\x00cache-spring-boot:java\x00' + b'\x10abc',
}


def redis_serializer_dumps(value):
    # django.core.cache.backends.redis.RedisSerializer.dumps (Django 4.0+): plain ints are stored as text.
    if type(value) is int:
        return None
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


for name, value in VALUES.items():
    for protocol in range(6):
        print(name, protocol, pickle.dumps(value, protocol).hex())
    data, flags = pickle_serde.serialize(b'key', value)
    if flags == 1:
        print(name, 'memcached', data.hex())
    data = redis_serializer_dumps(value)
    if data is not None:
        print(name, 'redis', data.hex())
