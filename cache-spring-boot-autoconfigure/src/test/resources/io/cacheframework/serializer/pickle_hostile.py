# Prints "<name> <hex>" for pickles that ask for more than plain data. argv[1] is a marker file the os.system
# pickles would create if anything ran them. Read by PicklePythonTests.
import builtins
import collections
import copyreg
import io
import os
import pickle
import sys
import types

marker = sys.argv[1]


class Evil:
    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


def module(name):
    # Registers the module and its parents, so that pickle's import of the class's module succeeds.
    parts = name.split('.')
    for i in range(1, len(parts) + 1):
        sys.modules.setdefault('.'.join(parts[:i]), types.ModuleType('.'.join(parts[:i])))
    return sys.modules[name]


models = module('myapp.models')


class Person:
    def __init__(self, name):
        self.name = name


Person.__module__ = 'myapp.models'
models.Person = Person

safestring = module('django.utils.safestring')


class SafeString(str):
    __slots__ = ()


SafeString.__module__ = 'django.utils.safestring'
safestring.SafeString = SafeString


def extension_class(code):
    cls = type('Ext%d' % code, (), {'__module__': 'myapp.models'})
    setattr(models, cls.__name__, cls)
    copyreg.add_extension('myapp.models', cls.__name__, code)
    return cls()


def persistent(protocol):
    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            return 'ref' if obj == 'external' else None

    out = io.BytesIO()
    Pickler(out, protocol).dump(['external'])
    return out.getvalue()


recursive_list = []
recursive_list.append(recursive_list)
recursive_tuple = ([],)
recursive_tuple[0].append(recursive_tuple)

for protocol in range(6):
    print('os_system_%d' % protocol, pickle.dumps(Evil(os.system, 'touch ' + marker), protocol).hex())
print('eval', pickle.dumps(Evil(builtins.eval, "__import__('os').system('touch %s')" % marker), 4).hex())
print('exec_p0', pickle.dumps(Evil(builtins.exec, "open(%r, 'w')" % marker), 0).hex())
print('model_p0', pickle.dumps(Person('guyan'), 0).hex())
print('model_p2', pickle.dumps(Person('guyan'), 2).hex())
print('model_p5', pickle.dumps({'user': Person('guyan')}, 5).hex())
print('model_in_list', pickle.dumps([1, 2, Person('guyan')], 4).hex())
print('safestring', pickle.dumps(SafeString('<b>fragment</b>'), 5).hex())
print('ordered_dict', pickle.dumps(collections.OrderedDict(a=1), 4).hex())
print('ext1', pickle.dumps(extension_class(240), 2).hex())
print('ext2', pickle.dumps(extension_class(300), 2).hex())
print('ext4', pickle.dumps(extension_class(70000), 2).hex())
print('persid', persistent(0).hex())
print('binpersid', persistent(2).hex())
print('next_buffer', pickle.dumps(pickle.PickleBuffer(b'abc'), 5, buffer_callback=lambda buffer: False).hex())
print('recursive_list', pickle.dumps(recursive_list, 4).hex())
print('recursive_tuple_p0', pickle.dumps(recursive_tuple, 0).hex())
print('recursive_tuple_p4', pickle.dumps(recursive_tuple, 4).hex())
