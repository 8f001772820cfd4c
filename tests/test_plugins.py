"""The plugin manager: built-ins come through the hooks, plugins from entry points and
VIGIL_PLUGINS, live registries, and clear errors for clashes and missing modules."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

import tests.plugin_sample as sample
from tests.plugin_sample.testing import NAME, blocks_png, registered
from vigil import plugins
from vigil.errors import UserError
from vigil.hookspecs import hookimpl
from vigil.intel.exports import FORMATS as EXPORT_FORMATS
from vigil.media.hashers.base import Signal
from vigil.media.hashsets import IMPORTERS
from vigil.media.hashsets.base import canonical_algorithm, normalise_hash
from vigil.plugins import get_plugin_manager
from vigil.reports import RENDERERS
from vigil.services.access import ROLES, Principal
from vigil.web import extensions

BUILTINS = [
    (plugins.SIGNAL_TYPES, "vigil.media.hashers", {"md5", "sha1", "sha256", "pdq", "vpdq"}),
    (plugins.HASHLIST_FORMATS, "vigil.media.hashsets", {"vics", "ncmec", "csv", "plain"}),
    (plugins.INTEL_EXPORTERS, "vigil.intel.exports", {"ftm", "anx", "maltego", "graphml", "csv"}),
    (plugins.REPORT_RENDERERS, "vigil.reports", {"html", "pdf", "csv", "json"}),
    (plugins.CASE_SECTIONS, "vigil.web.extensions", {"suspects", "children", "outcomes"}),
    (plugins.DASHBOARD_PANELS, "vigil.web.extensions", {"authorisations_due"}),
]


def principal(role: str) -> Principal:
    return Principal(1, f"{role}.one", role, None, "session:x")


@pytest.fixture()
def fresh_manager() -> Iterator[None]:
    """A manager built again from the environment, and the usual one back afterwards."""
    get_plugin_manager.cache_clear()
    yield
    get_plugin_manager.cache_clear()


def test_builtins_come_through_the_same_hooks() -> None:
    pm = get_plugin_manager()
    for mod in plugins.BUILTIN_PLUGINS:
        assert pm.has_plugin(mod), mod
    for registry, plugin, names in BUILTINS:
        assert names <= set(registry), registry.kind
        assert {registry.provider(n) for n in names} == {plugin}, registry.kind
        impls = getattr(pm.hook, registry.hook).get_hookimpls()
        assert plugin in {i.plugin_name for i in impls}
    routers = plugins.web_routers()
    from vigil.web import routes

    assert routers[: 2 * len(routes.ALL)] == [r for m in routes.ALL for r in (m.pages, m.api)]


def test_a_plugin_shows_up_everywhere_while_registered() -> None:
    assert sample.SIGNAL not in plugins.SIGNAL_TYPES
    with registered():
        assert plugins.SIGNAL_TYPES.provider(sample.SIGNAL) == NAME
        assert plugins.HASHLIST_FORMATS.provider(sample.HASHLIST) == NAME
        assert sample.HASHLIST in IMPORTERS and sample.EXPORTER in EXPORT_FORMATS
        assert sample.RENDERER in RENDERERS
        assert sample.router in plugins.web_routers()
        assert plugins.web_routers()[-1] is sample.router  # after Vigil's own routes
        assert canonical_algorithm("TOYFOLD") == sample.SIGNAL
        assert normalise_hash(sample.SIGNAL, " 00FF00FF00FF00FF ") == "00ff00ff00ff00ff"
        data = blocks_png(3)
        assert plugins.SIGNAL_TYPES[sample.SIGNAL].hash_bytes(data) == Signal(
            sample.SIGNAL, sample.fold(data)
        )
        listed = {(i.kind, i.name): i.plugin for i in plugins.describe().items}
        assert listed[("signal type", sample.SIGNAL)] == NAME
        assert listed[("report format", "pdf")] == "vigil.reports"
        info = {p.name: p for p in plugins.describe().plugins}
        assert not info[NAME].builtin and "vigil_menu_links" in info[NAME].hooks
    assert sample.SIGNAL not in plugins.SIGNAL_TYPES and sample.HASHLIST not in IMPORTERS
    assert canonical_algorithm("toyfold") is None
    with pytest.raises(UserError) as info:
        plugins.SIGNAL_TYPES.require(sample.SIGNAL)
    assert "pdq" in (info.value.hint or "")


def test_menu_links_depend_on_the_role() -> None:
    with registered():
        links = {
            role: [link.href for link in plugins.menu_links(principal(role))] for role in ROLES
        }
    for role, hrefs in links.items():
        assert hrefs[:2] == ["/", "/cases"]
        assert ("/sample" in hrefs) == (role in sample.LINK_ROLES)
        assert ("/admin/users" in hrefs) == (role == "administrator")
        assert len(hrefs) == len(set(hrefs))
    assert "/reports" in links["analyst"] and "/reports" not in links["auditor"]
    assert "/audit" in links["auditor"] and "/audit" not in links["investigator"]


def test_web_extension_lists_are_live_views() -> None:
    keys = [s.key for s in extensions.CASE_SECTIONS]
    assert keys[:3] == ["suspects", "children", "outcomes"]
    extra = SimpleNamespace(
        vigil_case_sections=hookimpl(
            lambda: [extensions.CaseSection("extra", "Extra", "suspects.html", lambda *a: None)]
        )
    )
    get_plugin_manager().register(extra, name="test-extra-section")
    try:
        assert [s.key for s in extensions.CASE_SECTIONS] == [*keys, "extra"]
    finally:
        get_plugin_manager().unregister(extra)
    assert [s.key for s in extensions.CASE_SECTIONS] == keys


def test_two_plugins_giving_one_name_is_an_error() -> None:
    csv = RENDERERS["csv"]
    clash = SimpleNamespace(vigil_report_renderers=hookimpl(lambda: [csv]))
    get_plugin_manager().register(clash, name="test-clash")
    try:
        with pytest.raises(UserError) as info:
            list(RENDERERS)
        assert "'csv'" in info.value.message and "test-clash" in info.value.message
        assert "vigil.reports" in info.value.message
    finally:
        get_plugin_manager().unregister(clash)
    assert "csv" in RENDERERS


def test_vigil_plugins_loads_modules(monkeypatch: pytest.MonkeyPatch, fresh_manager: None) -> None:
    monkeypatch.setenv("VIGIL_PLUGINS", f" {NAME} ,")
    assert plugins.SIGNAL_TYPES.provider(sample.SIGNAL) == NAME
    assert get_plugin_manager().get_plugin(NAME) is sample


def test_vigil_plugins_names_a_missing_module(
    monkeypatch: pytest.MonkeyPatch, fresh_manager: None
) -> None:
    monkeypatch.setenv("VIGIL_PLUGINS", "tests.no_such_plugin")
    with pytest.raises(UserError) as info:
        get_plugin_manager()
    assert "tests.no_such_plugin" in info.value.message and "VIGIL_PLUGINS" in info.value.message
