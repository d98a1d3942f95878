"""Import aliases: ``nasbench``, ``nats_bench``, ``nashpobench2api`` -> ``nasbench_lite.compat.*``.

:func:`install` puts a meta-path finder first on ``sys.meta_path``. For an aliased name or any of
its submodules (``nats_bench.api_utils``, ``nasbench.lib.graph_util``...) it imports the compat
module of the same relative name and hands back that very module object, so ``nats_bench`` and
``nasbench_lite.compat.nats_bench`` are one module (one set of classes, ``isinstance`` works).
A name the compat package lacks raises ``ModuleNotFoundError``: an alias never falls back to an
installed official package, and never shadows one silently (one notice line on stderr).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

__all__ = ["ALIASES", "install", "installed", "uninstall"]

#: Official top-level package -> the compat package it resolves to.
ALIASES: dict[str, str] = {
    "nasbench": "nasbench_lite.compat.nasbench",
    "nats_bench": "nasbench_lite.compat.nats_bench",
    "nashpobench2api": "nasbench_lite.compat.nashpobench2api",
}


def _target(fullname: str) -> str | None:
    top, dot, rest = fullname.partition(".")
    base = ALIASES.get(top)
    if base is None:
        return None
    return base + dot + rest


class _AliasLoader(importlib.abc.Loader):
    """Loads an alias by importing its target and returning the target's module object."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._real_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self._real_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # The import system stamps the alias spec on the module: give it its own back, so
        # reload(), pickle and tracebacks keep naming the real module.
        if self._real_spec is not None:
            module.__spec__ = self._real_spec


class AliasFinder(importlib.abc.MetaPathFinder):
    """The meta-path finder of :func:`install` (one instance at most on ``sys.meta_path``)."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        real = _target(fullname)
        if real is None:
            return None
        if real in sys.modules:
            found: importlib.machinery.ModuleSpec | None = sys.modules[real].__spec__
        else:
            try:
                found = importlib.util.find_spec(real)
            except ModuleNotFoundError:
                found = None
        if found is None:
            raise ModuleNotFoundError(
                f"No module named {fullname!r} (nasbench_lite.compat has no {real!r}; the "
                "compat alias never falls back to an installed official package)",
                name=fullname,
            )
        return importlib.machinery.ModuleSpec(
            fullname,
            _AliasLoader(real),
            is_package=found.submodule_search_locations is not None,
        )


_FINDER = AliasFinder()
_saved: dict[str, ModuleType] = {}


def _official_installed() -> list[str]:
    """Official packages that an alias shadows (importable without it)."""
    names = []
    for name in ALIASES:
        for finder in sys.meta_path:
            if finder is _FINDER or not hasattr(finder, "find_spec"):
                continue
            try:
                if finder.find_spec(name, None) is not None:
                    names.append(name)
                    break
            except (ImportError, ValueError):
                continue
    return names


def installed() -> bool:
    """Whether the aliases are active in this interpreter."""
    return _FINDER in sys.meta_path


def install() -> None:
    """Makes ``nasbench``, ``nats_bench``, ``nashpobench2api`` import the compat packages.

    Idempotent. Prints one line on stderr saying the alias is active (and which installed
    official packages it shadows). Official modules imported before the call are taken out of
    ``sys.modules`` (and put back by :func:`uninstall`), so later imports get the compat ones;
    references already held keep pointing at the official objects.
    """
    if installed():
        return
    shadowed = _official_installed()
    for name in list(sys.modules):
        if name.partition(".")[0] in ALIASES:
            _saved[name] = sys.modules.pop(name)
    sys.meta_path.insert(0, _FINDER)
    note = f" (shadowing the installed {', '.join(shadowed)})" if shadowed else ""
    print(
        "nasbench_lite.compat: alias active: nasbench, nats_bench, nashpobench2api import "
        f"nasbench_lite.compat.*{note}",
        file=sys.stderr,
    )


def uninstall() -> None:
    """Removes the aliases: the official names import the official packages again.

    Alias entries are taken out of ``sys.modules`` and official modules that :func:`install`
    set aside are put back. Idempotent.
    """
    while _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name in list(sys.modules):
        if name.partition(".")[0] in ALIASES:
            del sys.modules[name]
    sys.modules.update(_saved)
    _saved.clear()
