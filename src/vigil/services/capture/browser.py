"""Browser capture: Debian's Chromium under Playwright (sync API), driven by the officer's hand.

Every main-frame navigation (once the page has loaded), every press of the injected button or
of Ctrl+Shift+S, and, with ``every``, each open page every N seconds, is captured: a full-page
screenshot (PNG), the page's MHTML (CDP ``Page.captureSnapshot``) and its HTML (the DOM as
rendered, ``page.content()``), with the URL, the title and the time, and handed to ``record``
(:func:`vigil.services.capture.record.record_page` in the CLI). Nothing here types into, clicks
or posts to a page: the only script added is the button and the shortcut (``capture.js``),
removed from the page while each capture is taken.

Playwright delivers its events only while it is called, so event handlers only set flags and
the loop (:meth:`CaptureBrowser.pump`) takes the captures.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata, resources
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from vigil import tool_version
from vigil.errors import UserError, VigilError
from vigil.services.capture.record import PageSnapshot

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, CDPSession, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium (the package ``chromium``), as the web tests use."""
CHROMIUM_ARGS = ("--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync")  # fmt: skip
BINDING = "__vigilCapture"
LOAD_TIMEOUT_MS = 30_000


@dataclass(frozen=True, slots=True)
class BrowseOptions:
    chromium: Path = CHROMIUM
    headless: bool = False
    every: float | None = None
    """Seconds between interval captures of each open page (None: none)."""
    duration: float | None = None
    """End the browse after this many seconds (None: when the browser is closed)."""
    profile: Path | None = None
    """A browser profile folder kept between browses (the persona's logins); None: a fresh one."""
    sandbox: bool = True
    button: bool = True
    settle: float = 0.5
    """Seconds to wait after a page's load event before a navigation capture."""


@dataclass
class BrowseSummary:
    captures: int = 0
    failures: int = 0
    ended: str = ""


@dataclass(eq=False)
class _Tab:
    page: Page
    cdp: CDPSession | None = None
    nav: bool = False
    manual: int = 0
    interval: bool = False
    closed: bool = False


@dataclass
class _State:
    tabs: list[_Tab] = field(default_factory=list)
    ended: str | None = None
    last_interval: float = 0.0


def _playwright() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise UserError(
            "browser capture needs Playwright (PyPI: playwright)",
            hint="pip install playwright (Vigil uses Debian's chromium, not a downloaded one)",
        ) from exc
    return sync_playwright


def _init_script(button: bool) -> str:
    js = (resources.files("vigil.services.capture") / "capture.js").read_text(encoding="utf-8")
    return js.replace("__SHOW_BUTTON__", "true" if button else "false")


class CaptureBrowser:
    """A Chromium the officer drives; captures go to ``record``.

    ``with CaptureBrowser(record, opts, clock=...) as cb: cb.open(url); cb.run()``."""

    def __init__(
        self,
        record: Callable[[PageSnapshot], object],
        opts: BrowseOptions,
        *,
        clock: Callable[[], datetime],
        on_error: Callable[[str, str, str], None] | None = None,
        should_stop: Callable[[], str | None] | None = None,
    ) -> None:
        self._record = record
        self._opts = opts
        self._clock = clock
        self._on_error = on_error
        self._should_stop = should_stop
        self._state = _State()
        self.summary = BrowseSummary()
        self.tool = tool_version()
        self._pw: Playwright | None = None
        self._context: BrowserContext | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    # --- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> CaptureBrowser:
        if not self._opts.chromium.exists():
            raise UserError(
                f"Chromium not found at {self._opts.chromium}",
                hint="install Debian's chromium (apt-get install chromium) or pass --chromium PATH",
            )
        self._pw = _playwright()().start()
        try:
            self._launch()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _launch(self) -> None:
        assert self._pw is not None
        profile = self._opts.profile
        if profile is None:
            self._tmp = tempfile.TemporaryDirectory(
                prefix="vigil-capture-", ignore_cleanup_errors=True
            )
            profile = Path(self._tmp.name)
        ctx = self._pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(self._opts.chromium),
            headless=self._opts.headless,
            chromium_sandbox=self._opts.sandbox,
            args=list(CHROMIUM_ARGS),
            ignore_default_args=["--enable-automation"],
            no_viewport=not self._opts.headless,
            accept_downloads=False,
        )
        self._context = ctx
        ctx.add_init_script(script=_init_script(self._opts.button))
        ctx.expose_binding(BINDING, self._on_binding)
        ctx.on("page", self._watch)
        ctx.on("close", lambda _ctx: self._end("the browser was closed"))
        for page in ctx.pages:
            self._watch(page)
        self.tool = self._tool_name(ctx)

    def close(self) -> None:
        ctx, self._context = self._context, None
        if ctx is not None:
            with contextlib.suppress(Exception):  # the browser may already have gone
                ctx.close()
        pw, self._pw = self._pw, None
        if pw is not None:
            pw.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _tool_name(self, ctx: BrowserContext) -> str:
        product = "Chromium"
        try:
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            product = str(ctx.new_cdp_session(page).send("Browser.getVersion")["product"])
        except Exception:  # the version is a courtesy: the capture goes on without it
            pass
        return f"{product} via Playwright {metadata.version('playwright')}; {tool_version()}"

    # --- events: flags only --------------------------------------------------------------

    def _tab(self, page: Page) -> _Tab | None:
        return next((t for t in self._state.tabs if t.page is page), None)

    def _watch(self, page: Page) -> None:
        if self._tab(page) is not None:
            return
        tab = _Tab(page)
        self._state.tabs.append(tab)

        def navigated(frame: Any) -> None:
            if frame == page.main_frame:
                tab.nav = True

        def closed(_page: Any) -> None:
            tab.closed = True

        page.on("framenavigated", navigated)
        page.on("close", closed)

    def _on_binding(self, source: dict[str, Any]) -> bool:
        tab = self._tab(source["page"])
        if tab is not None:
            tab.manual += 1
        return True

    def _end(self, why: str) -> None:
        if self._state.ended is None:
            self._state.ended = why

    # --- the loop ------------------------------------------------------------------------

    @property
    def page(self) -> Page:
        """The first open page (for scripted use and tests)."""
        tab = next((t for t in self._state.tabs if not t.closed), None)
        if tab is None:
            raise UserError("no page is open")
        return tab.page

    def open(self, url: str) -> Page:
        """Open ``url`` in the first tab (the start page of the browse)."""
        assert self._context is not None
        page = self._context.pages[0] if self._context.pages else self._context.new_page()
        self._watch(page)
        page.goto(url, wait_until="commit")
        return page

    def run(self) -> BrowseSummary:
        """Capture until the browser is closed, ``duration`` passes or ``should_stop`` says."""
        deadline = None if self._opts.duration is None else time.monotonic() + self._opts.duration
        self._state.last_interval = time.monotonic()
        while self._state.ended is None:
            if deadline is not None and time.monotonic() >= deadline:
                self._end(f"{self._opts.duration:g} s passed")
                break
            self.pump(0.2)
            if self._should_stop is not None:
                why = self._should_stop()
                if why:
                    self._end(why)
        self.summary.ended = self._state.ended or ""
        return self.summary

    def pump(self, seconds: float) -> None:
        """Let the browser run for ``seconds``, taking the captures asked for meanwhile."""
        until = time.monotonic() + seconds
        while self._state.ended is None:
            open_tabs = [t for t in self._state.tabs if not t.closed]
            if not open_tabs:
                self._end("every page was closed")
                return
            self._wait(open_tabs[0], 100)
            self._take_due()
            if time.monotonic() >= until:
                return

    def _wait(self, tab: _Tab, ms: int) -> None:
        from playwright.sync_api import Error as PlaywrightError

        try:
            tab.page.wait_for_timeout(ms)
        except PlaywrightError:
            time.sleep(ms / 1000)

    def _take_due(self) -> None:
        every = self._opts.every
        if every and time.monotonic() - self._state.last_interval >= every:
            self._state.last_interval = time.monotonic()
            for t in self._state.tabs:
                t.interval = True
        for tab in list(self._state.tabs):
            if tab.closed:
                continue
            if tab.nav:
                tab.nav = False
                self._take(tab, "navigation")
            while tab.manual and not tab.closed:
                tab.manual -= 1
                self._take(tab, "manual")
            if tab.interval:
                tab.interval = False
                self._take(tab, "interval")
            if self._state.ended is not None:
                return

    def _take(self, tab: _Tab, kind: str) -> None:
        from playwright.sync_api import Error as PlaywrightError

        page = tab.page
        try:
            if kind == "navigation":
                page.wait_for_load_state("load", timeout=LOAD_TIMEOUT_MS)
                if self._opts.settle:
                    page.wait_for_timeout(self._opts.settle * 1000)
            if page.url in ("", "about:blank"):
                return
            snap = self._snapshot(tab, kind)
        except (PlaywrightError, _Changed) as exc:
            self.summary.failures += 1
            if self._on_error is not None:
                self._on_error(kind, page.url, str(exc).splitlines()[0] if str(exc) else "error")
            return
        try:
            self._record(snap)
        except VigilError as exc:  # the session was stopped, or access withdrawn: end here
            self.summary.failures += 1
            self._end(exc.message)
            return
        self.summary.captures += 1

    def _snapshot(self, tab: _Tab, kind: str) -> PageSnapshot:
        from playwright.sync_api import Error as PlaywrightError

        page = tab.page
        page.evaluate("() => window.__vigilHide && window.__vigilHide()")
        try:
            url = page.url
            title = page.title()
            at = self._clock()
            png = page.screenshot(full_page=True, type="png")
            mhtml: bytes | None
            try:
                if tab.cdp is None:
                    assert self._context is not None
                    tab.cdp = self._context.new_cdp_session(page)
                data = tab.cdp.send("Page.captureSnapshot", {"format": "mhtml"})["data"]
                mhtml = str(data).encode("utf-8")
            except PlaywrightError:
                mhtml = None
            html = page.content().encode("utf-8")
            if page.url != url:
                raise _Changed(f"the page moved from {url} to {page.url} during the capture")
        finally:
            with contextlib.suppress(PlaywrightError):
                page.evaluate("() => window.__vigilShow && window.__vigilShow()")
        return PageSnapshot(kind, url, title, at, png, mhtml, html, self.tool)


class _Changed(Exception):
    """The page navigated while it was being captured (the navigation is captured next)."""
