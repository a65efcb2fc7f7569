"""The shared library and its C prototypes (ctypes; nothing to compile).

Which libkbuild is loaded, first found wins:
  1. $KBUILD_LIBRARY, a path to libkbuild.so.N;
  2. the library installed with this package (`cmake --install` writes
     _config.py with its path relative to the package);
  3. libkbuild.so.N from the dynamic loader's search (LD_LIBRARY_PATH,
     the ldconfig cache), N being the ABI version this binding is for.
"""
import ctypes
import os

# The ABI (libkbuild.so.N) and kb_options layout version this module
# is written for (KBUILD_ABI_VERSION, KB_OPTIONS_VERSION in kbuild.h).
ABI_VERSION = 0
OPTIONS_VERSION = 2


class Options(ctypes.Structure):
    """kb_options at OPTIONS_VERSION, field for field."""
    _fields_ = [
        ('version', ctypes.c_int),
        ('path', ctypes.c_char_p),
        ('load_restrictor', ctypes.c_int),
        ('reorder', ctypes.c_int),
        ('enable_helm', ctypes.c_int),
        ('helm_command', ctypes.c_char_p),
        ('enable_alpha_plugins', ctypes.c_int),
        ('enable_managedby_label', ctypes.c_int),
        ('max_depth', ctypes.c_size_t),
        ('max_nodes', ctypes.c_size_t),
        ('helm_api_versions', ctypes.POINTER(ctypes.c_char_p)),
        ('helm_api_versions_n', ctypes.c_size_t),
        ('helm_kube_version', ctypes.c_char_p),
        ('helm_debug', ctypes.c_int),
        ('fs', ctypes.c_void_p),
    ]


def _candidates():
    env = os.environ.get('KBUILD_LIBRARY')
    if env:
        yield env
        return
    try:
        from . import _config
        yield os.path.normpath(os.path.join(os.path.dirname(__file__), _config.LIBRARY))
    except ImportError:
        pass
    yield 'libkbuild.so.%d' % ABI_VERSION


def _load():
    errors = []
    for c in _candidates():
        try:
            return ctypes.CDLL(c)
        except OSError as e:
            errors.append('%s: %s' % (c, e))
    raise ImportError('cannot load libkbuild (set KBUILD_LIBRARY to libkbuild.so.%d): %s'
                      % (ABI_VERSION, '; '.join(errors)))


lib = _load()

_P = ctypes.c_void_p
_S = ctypes.c_size_t
_U = ctypes.c_uint


def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)


_proto('kb_abi_version', ctypes.c_int)
_proto('kb_version', ctypes.c_char_p)
if lib.kb_abi_version() != ABI_VERSION:
    raise ImportError('libkbuild has ABI %d, this binding is for %d'
                      % (lib.kb_abi_version(), ABI_VERSION))

_proto('kb_options_init_version', ctypes.c_int, ctypes.POINTER(Options), ctypes.c_int)
_proto('kb_build', _P, ctypes.POINTER(Options), ctypes.POINTER(_P))
_proto('kb_result_yaml', _P, _P, ctypes.POINTER(_S))
_proto('kb_result_count', _S, _P)
_proto('kb_result_write_file', _P, _P, ctypes.c_char_p)
_proto('kb_result_write_dir', _P, _P, ctypes.c_char_p)
_proto('kb_result_warning_count', _S, _P)
_proto('kb_result_warning_diag', _P, _P, _S)
_proto('kb_result_free', None, _P)
_proto('kb_error_format', _P, _P)
_proto('kb_error_code', ctypes.c_int, _P)
_proto('kb_error_frame_count', _S, _P)
_proto('kb_error_frame_kind', ctypes.c_int, _P, _S)
_proto('kb_error_frame_message', ctypes.c_char_p, _P, _S)
_proto('kb_error_frame_file', ctypes.c_char_p, _P, _S)
_proto('kb_error_frame_line', _U, _P, _S)
_proto('kb_error_frame_column', _U, _P, _S)
_proto('kb_error_warning_count', _S, _P)
_proto('kb_error_warning', _P, _P, _S)
_proto('kb_error_free', None, _P)
_proto('kb_fs_os', _P)
_proto('kb_memfs_new', _P, _P)
_proto('kb_memfs_add', ctypes.c_int, _P, ctypes.c_char_p, ctypes.c_char_p, _S)
_proto('kb_memfs_fs', _P, _P)
_proto('kb_memfs_free', None, _P)

# free(3) for the strings kb_error_format returns
libc = ctypes.CDLL(None)
libc.free.restype = None
libc.free.argtypes = [_P]
