"""kbuild: kustomize-compatible builds from Python, over libkbuild.

    import kbuild
    result = kbuild.build('apps/dev')
    print(result.yaml, end='')
    for w in result.warnings:
        print(w)                       # file:line:col: warning: ...

    try:
        kbuild.build('broken')
    except kbuild.BuildError as e:
        print(e.diagnostic.file, e.diagnostic.line, e.diagnostic.message)
        for note in e.diagnostic.notes: ...
        e.warnings                     # what the build warned before failing

    # from memory (an editor's buffers, a git object store), optionally
    # laid over the disk:
    kbuild.build('/app', files={'/app/kustomization.yaml': 'resources: [cm.yaml]\\n',
                                '/app/cm.yaml': '...'})

The output is byte for byte what `kubectl kustomize` (kustomize v5.5.0)
prints.  Builds release the GIL (ctypes does, around each C call), so
threads build in parallel; the library is thread-safe.
"""
import ctypes
import os
from dataclasses import dataclass, field
from typing import List, Mapping, Optional, Sequence, Union

from . import _lib
from ._lib import lib as _c

__all__ = ['build', 'Result', 'Diagnostic', 'Frame', 'BuildError', 'version', 'abi_version',
           'ERROR', 'WARNING', 'NOTE', 'ERR_BUILD', 'ERR_USAGE', 'ERR_IO',
           'WARN_SUSPICIOUS', 'WARN_DEPRECATED']

# kb_diag_kind and the codes of kbuild.h
ERROR, WARNING, NOTE = 'error', 'warning', 'note'
_KINDS = {1: ERROR, 2: WARNING, 3: NOTE}
ERR_BUILD, ERR_USAGE, ERR_IO = 1, 2, 3
WARN_SUSPICIOUS, WARN_DEPRECATED = 101, 102


def version() -> str:
    """The version of the loaded libkbuild (KBUILD_VERSION)."""
    return _c.kb_version().decode()


def abi_version() -> int:
    """The N of the loaded libkbuild.so.N."""
    return _c.kb_abi_version()


__version__ = version()


@dataclass(frozen=True)
class Frame:
    """One frame of a diagnostic: the diagnostic itself or one of its notes."""
    kind: str                   # ERROR, WARNING or NOTE
    message: str                # without location
    file: Optional[str] = None  # as the user named it; None when unknown
    line: int = 0               # 1-based; 0 when unknown
    column: int = 0             # 1-based; 0 when unknown

    def __str__(self):
        loc = ''
        if self.file:
            loc = self.file
            if self.line:
                loc += ':%d' % self.line
                if self.column:
                    loc += ':%d' % self.column
            loc += ': '
        return loc + self.message


@dataclass(frozen=True)
class Diagnostic:
    """An error or a warning with its notes (innermost first)."""
    kind: str
    code: int
    message: str
    file: Optional[str]
    line: int
    column: int
    notes: List[Frame] = field(default_factory=list)
    text: str = ''              # the compiler-style text kbuild prints

    @property
    def frames(self) -> List[Frame]:
        """The diagnostic itself, then its notes."""
        return [Frame(self.kind, self.message, self.file, self.line, self.column)] + self.notes

    def __str__(self):
        return self.text.rstrip('\n')


def _str(b):
    return b.decode('utf-8', 'replace') if b is not None else None


def _diagnostic(p) -> Diagnostic:
    """A Python copy of the kb_error at p (borrowed: not freed here)."""
    frames = []
    for i in range(_c.kb_error_frame_count(p)):
        frames.append(Frame(_KINDS.get(_c.kb_error_frame_kind(p, i), NOTE),
                            _str(_c.kb_error_frame_message(p, i)) or '',
                            _str(_c.kb_error_frame_file(p, i)),
                            _c.kb_error_frame_line(p, i), _c.kb_error_frame_column(p, i)))
    s = _c.kb_error_format(p)
    text = _str(ctypes.string_at(s)) if s else ''
    _lib.libc.free(s)
    top = frames[0] if frames else Frame(ERROR, '')
    return Diagnostic(top.kind, _c.kb_error_code(p), top.message, top.file, top.line,
                      top.column, frames[1:], text)


class BuildError(Exception):
    """A build (or a write) failed.  .diagnostic is the error, .warnings
    what the build warned before it failed, .code its KB_ERR_* code."""

    def __init__(self, diagnostic: Diagnostic, warnings: Sequence[Diagnostic] = ()):
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic
        self.warnings = list(warnings)
        self.code = diagnostic.code


def _raise_and_free(err):
    warnings = [_diagnostic(_c.kb_error_warning(err, i))
                for i in range(_c.kb_error_warning_count(err))]
    d = _diagnostic(err)
    _c.kb_error_free(err)
    raise BuildError(d, warnings)


class Result:
    """What a build produced: the YAML stream, the number of resources,
    the warnings.  The C result is kept for write() until close()."""

    def __init__(self, ptr):
        self._ptr = ptr
        n = _lib._S()
        p = _c.kb_result_yaml(ptr, ctypes.byref(n))
        self.yaml_bytes: bytes = ctypes.string_at(p, n.value) if n.value else b''
        self.count: int = _c.kb_result_count(ptr)
        self.warnings: List[Diagnostic] = [
            _diagnostic(_c.kb_result_warning_diag(ptr, i))
            for i in range(_c.kb_result_warning_count(ptr))]

    @property
    def yaml(self) -> str:
        return self.yaml_bytes.decode('utf-8')

    def write(self, path: Union[str, os.PathLike]) -> None:
        """Writes the stream to path as `kbuild -o` does: atomically over a
        regular file, through a symlink, in place to a FIFO or device; into
        an existing directory, one file per resource."""
        if self._ptr is None:
            raise ValueError('result is closed')
        p = os.fsencode(path)
        err = (_c.kb_result_write_dir(self._ptr, p) if os.path.isdir(p)
               else _c.kb_result_write_file(self._ptr, p))
        if err:
            _raise_and_free(err)

    def close(self) -> None:
        if self._ptr is not None:
            _c.kb_result_free(self._ptr)
            self._ptr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def __str__(self):
        return self.yaml


_RESTRICTORS = {None: 0, 'rootonly': 0, 'LoadRestrictionsRootOnly': 0,
                'none': 1, 'LoadRestrictionsNone': 1}
_REORDER = {None: 0, 'legacy': 1, 'none': 2}


def build(path: Union[str, os.PathLike] = '.', *,
          files: Optional[Mapping[str, Union[str, bytes]]] = None,
          overlay_disk: bool = False,
          load_restrictor: Optional[str] = None,
          reorder: Optional[str] = None,
          enable_helm: bool = False,
          helm_command: Optional[str] = None,
          helm_api_versions: Sequence[str] = (),
          helm_kube_version: Optional[str] = None,
          helm_debug: bool = False,
          enable_alpha_plugins: bool = False,
          enable_managedby_label: bool = False,
          max_depth: int = 0,
          max_nodes: int = 0) -> Result:
    """Builds the kustomization in the directory path, as `kbuild build`
    does, and returns its Result; raises BuildError when it fails.

    files: build from these files instead of the disk (absolute path ->
    contents); with overlay_disk=True they lie over the disk, which
    supplies every other file.  load_restrictor: 'rootonly' (default) or
    'none'; reorder: 'legacy' (default) or 'none'.  The other options are
    kbuild build's flags of the same names."""
    if load_restrictor not in _RESTRICTORS:
        raise ValueError("load_restrictor must be 'rootonly' or 'none'")
    if reorder not in _REORDER:
        raise ValueError("reorder must be 'legacy' or 'none'")
    o = _lib.Options()
    if _c.kb_options_init_version(ctypes.byref(o), _lib.OPTIONS_VERSION) != 0:
        raise RuntimeError('libkbuild does not know kb_options version %d'
                           % _lib.OPTIONS_VERSION)
    keep = []  # what the options point into, alive until kb_build returns
    o.path = os.fsencode(path)
    o.load_restrictor = _RESTRICTORS[load_restrictor]
    o.reorder = _REORDER[reorder]
    o.enable_helm = int(enable_helm)
    if helm_command:
        o.helm_command = helm_command.encode()
    if helm_api_versions:
        arr = (ctypes.c_char_p * len(helm_api_versions))(*[v.encode() for v in helm_api_versions])
        keep.append(arr)
        o.helm_api_versions = ctypes.cast(arr, ctypes.POINTER(ctypes.c_char_p))
        o.helm_api_versions_n = len(helm_api_versions)
    if helm_kube_version:
        o.helm_kube_version = helm_kube_version.encode()
    o.helm_debug = int(helm_debug)
    o.enable_alpha_plugins = int(enable_alpha_plugins)
    o.enable_managedby_label = int(enable_managedby_label)
    o.max_depth = max_depth
    o.max_nodes = max_nodes
    memfs = None
    try:
        if files is not None:
            memfs = _c.kb_memfs_new(_c.kb_fs_os() if overlay_disk else None)
            for name, data in files.items():
                if isinstance(data, str):
                    data = data.encode()
                if _c.kb_memfs_add(memfs, os.fsencode(name), data, len(data)) != 0:
                    raise ValueError('files: %r is not an absolute path' % (name,))
            o.fs = _c.kb_memfs_fs(memfs)
        res = _lib._P()
        err = _c.kb_build(ctypes.byref(o), ctypes.byref(res))
        if err:
            _raise_and_free(err)
        return Result(res.value)
    finally:
        if memfs:
            _c.kb_memfs_free(memfs)
