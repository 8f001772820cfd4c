"""The pluggy plugin manager. Built-ins register through the same hooks as outside plugins.

Plugins are loaded from three places, in this order: Vigil's own modules
(:data:`BUILTIN_PLUGINS`), installed packages that declare a ``vigil`` entry point, and the
modules named in ``VIGIL_PLUGINS`` (comma-separated, read by :mod:`vigil.config`), which lets a
unit try a plugin module without installing a package.

Each kind of named contribution (signal types, hash-list formats, intel exporters, report
renderers, case sections, dashboard panels) is read through a :class:`Registry`: a live,
read-only mapping by name that asks the hooks again whenever a plugin is registered or
unregistered. Two plugins giving the same name is an error, never a silent override.
Modules listed here import only light things at registration; heavy libraries load when used.
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, overload

import pluggy

from vigil import hookspecs
from vigil.config import load_settings
from vigil.errors import UserError

if TYPE_CHECKING:
    from fastapi import APIRouter

    from vigil.ingest.base import Parser
    from vigil.intel.exports import ExportFormat
    from vigil.media.hashers.base import SignalType
    from vigil.media.hashsets.base import HashListFormat
    from vigil.reports import ReportRenderer
    from vigil.services.access import Principal
    from vigil.web.extensions import CaseSection, DashboardPanel, MenuLink

T = TypeVar("T")
R = TypeVar("R")

BUILTIN_PLUGINS: tuple[str, ...] = (
    "vigil.ingest.formats",
    "vigil.media.hashers",
    "vigil.media.hashsets",
    "vigil.intel.exports",
    "vigil.reports",
    "vigil.web.extensions",
)
"""Modules holding Vigil's own hook implementations (one registration line per item there)."""

ENTRY_POINT_GROUP = "vigil"


_GENERATIONS = itertools.count(1)


class VigilPluginManager(pluggy.PluginManager):
    """pluggy's manager, stamping each (un)registration so that registries know to look again.

    ``generation`` comes from one process-wide counter, so no two states of any two managers
    share a stamp.
    """

    def __init__(self) -> None:
        super().__init__("vigil")
        self.generation = next(_GENERATIONS)

    def register(self, plugin: object, name: str | None = None) -> str | None:
        out = super().register(plugin, name)
        self.generation = next(_GENERATIONS)
        return out

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any:
        out = super().unregister(plugin, name)
        self.generation = next(_GENERATIONS)
        return out


def _import_plugin(name: str) -> object:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise UserError(
            f"plugin module {name!r} from VIGIL_PLUGINS cannot be imported ({exc})",
            hint="check the module name and PYTHONPATH, or remove it from VIGIL_PLUGINS",
        ) from exc


_loading: list[bool] = []


@cache
def get_plugin_manager() -> VigilPluginManager:
    """Return the process-wide plugin manager: built-ins, entry points, then ``VIGIL_PLUGINS``."""
    if _loading:
        raise UserError(
            "a plugin asked for the registered plugins while plugins were being loaded",
            hint="look plugins up inside functions, not when a plugin module is imported",
        )
    _loading.append(True)
    try:
        pm = VigilPluginManager()
        pm.add_hookspecs(hookspecs)
        for mod_name in BUILTIN_PLUGINS:
            pm.register(importlib.import_module(mod_name), name=mod_name)
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        for mod_name in load_settings().plugins:
            module = _import_plugin(mod_name)
            if not pm.is_registered(module):
                pm.register(module, name=mod_name)
    finally:
        _loading.clear()
    return pm


def contributions(hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """``(plugin name, item)`` for every item the plugins return from ``hook``.

    Plugins are asked in registration order (built-ins first; ``tryfirst``/``trylast`` marks
    move an implementation), so built-in routes and links come before a plugin's.
    """
    caller = getattr(get_plugin_manager().hook, hook)
    out: list[tuple[str, Any]] = []
    for impl in caller.get_hookimpls():
        if impl.hookwrapper or impl.wrapper:
            continue
        result = impl.function(*(kwargs[a] for a in impl.argnames))
        if result is None:
            continue
        out.extend((impl.plugin_name, item) for item in result)
    return out


class Registry(Mapping[str, T]):
    """The items of one hook by name: live, read-only, rebuilt when the plugins change."""

    def __init__(self, hook: str, kind: str, key: Callable[[Any], str]) -> None:
        self.hook, self.kind, self._key = hook, kind, key
        self._stamp = 0
        self._table: dict[str, tuple[str, T]] = {}
        self._derived: dict[Callable[..., Any], Any] = {}

    def _current(self) -> dict[str, tuple[str, T]]:
        stamp = get_plugin_manager().generation
        if stamp != self._stamp:
            table: dict[str, tuple[str, T]] = {}
            for plugin, item in contributions(self.hook):
                name = self._key(item)
                if name in table:
                    raise UserError(
                        f"{self.kind} {name!r} is given by two plugins: "
                        f"{table[name][0]} and {plugin}",
                        hint="uninstall or rename one of them (see VIGIL_PLUGINS)",
                    )
                table[name] = (plugin, item)
            self._table, self._derived, self._stamp = table, {}, stamp
        return self._table

    def __getitem__(self, name: str) -> T:
        return self._current()[name][1]

    @overload
    def get(self, name: str, /) -> T | None: ...
    @overload
    def get(self, name: str, /, default: T | R) -> T | R: ...
    def get(self, name: str, /, default: Any = None) -> Any:
        found = self._current().get(name)
        return default if found is None else found[1]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._current()))

    def __len__(self) -> int:
        return len(self._current())

    def __contains__(self, name: object) -> bool:
        return name in self._current()

    def provider(self, name: str) -> str:
        """The name of the plugin that gives ``name``."""
        return self._current()[name][0]

    def require(self, name: str) -> T:
        """The item called ``name``; UserError listing the choices when there is none."""
        table = self._current()
        if name not in table:
            raise UserError(f"unknown {self.kind} {name!r}", hint="one of: " + ", ".join(table))
        return table[name][1]

    def derive(self, build: Callable[[Mapping[str, T]], R]) -> R:
        """``build(self)``, kept until the plugins change (for look-up tables made from items)."""
        self._current()
        if build not in self._derived:
            self._derived[build] = build(self)
        result: R = self._derived[build]
        return result


def _name(item: Any) -> str:
    return str(item.name)


def _key(item: Any) -> str:
    return str(item.key)


SIGNAL_TYPES: Registry[SignalType] = Registry("vigil_signal_types", "signal type", _name)
HASHLIST_FORMATS: Registry[HashListFormat] = Registry(
    "vigil_hashlist_formats", "hash-list format", _name
)
INTEL_EXPORTERS: Registry[ExportFormat] = Registry("vigil_intel_exporters", "export format", _name)
REPORT_RENDERERS: Registry[ReportRenderer] = Registry(
    "vigil_report_renderers", "report format", _name
)
CASE_SECTIONS: Registry[CaseSection] = Registry("vigil_case_sections", "case section", _key)
DASHBOARD_PANELS: Registry[DashboardPanel] = Registry(
    "vigil_dashboard_panels", "dashboard panel", _key
)
REGISTRIES: tuple[Registry[Any], ...] = (
    SIGNAL_TYPES,
    HASHLIST_FORMATS,
    INTEL_EXPORTERS,
    REPORT_RENDERERS,
    CASE_SECTIONS,
    DASHBOARD_PANELS,
)


def parsers() -> list[Parser]:
    """All registered parsers, in the order pluggy calls their plugins."""
    found: list[Parser] = []
    for group in get_plugin_manager().hook.vigil_parsers():
        found.extend(group)
    return found


def web_routers() -> list[APIRouter]:
    """Every plugin's FastAPI routers, Vigil's own first."""
    return [router for _, router in contributions("vigil_register_routes")]


def menu_links(principal: Principal) -> list[MenuLink]:
    """The top-navigation links for ``principal``, Vigil's own first, each target once."""
    seen: set[str] = set()
    out: list[MenuLink] = []
    for _, link in contributions("vigil_menu_links", principal=principal):
        if link.href not in seen:
            seen.add(link.href)
            out.append(link)
    return out


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """A registered plugin: its name, whether it ships with Vigil, and the hooks it implements."""

    name: str
    builtin: bool
    hooks: list[str]


@dataclass(frozen=True, slots=True)
class ItemInfo:
    """A named contribution: its kind (``signal type``, ...), name, plugin and description."""

    kind: str
    name: str
    plugin: str
    description: str


@dataclass(frozen=True, slots=True)
class Installed:
    """Every registered plugin and every named thing they add (names and descriptions only)."""

    plugins: list[PluginInfo]
    items: list[ItemInfo]


def describe() -> Installed:
    """What is installed, for ``/api/v1/plugins`` and ``vigil media signals``-style listings."""
    pm = get_plugin_manager()
    listed = [
        PluginInfo(
            name,
            name in BUILTIN_PLUGINS,
            sorted(c.name for c in pm.get_hookcallers(plugin) or ()),
        )
        for name, plugin in pm.list_name_plugin()
        if plugin is not None
    ]
    items = [
        ItemInfo(reg.kind, name, reg.provider(name), _description(reg[name]))
        for reg in REGISTRIES
        for name in reg
    ]
    return Installed(listed, items)


def _description(item: Any) -> str:
    return str(getattr(item, "description", None) or getattr(item, "title", ""))
