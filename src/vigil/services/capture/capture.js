// Vigil capture: a small fixed "Capture" button and the Ctrl+Shift+S shortcut, both asking
// the recording side (a Playwright binding) to capture this page. Nothing else: this script
// never reads, types into or sends anything on the page. Both are taken off the page while a
// capture is taken, so the screenshot, MHTML and HTML show the page as the officer saw it.
(() => {
  if (window.top !== window) return;
  const BIND = "__vigilCapture";
  const SHOW_BUTTON = __SHOW_BUTTON__;
  let host = null;
  const ask = () => {
    try { window[BIND](); } catch (e) { /* the recorder has gone: nothing to do */ }
  };
  window.addEventListener("keydown", (e) => {
    if (e.ctrlKey && e.shiftKey && e.code === "KeyS") {
      e.preventDefault();
      e.stopPropagation();
      ask();
    }
  }, true);
  const add = () => {
    if (!SHOW_BUTTON || host) return;
    host = document.createElement("vigil-capture");
    host.style.cssText = "all:initial;position:fixed;right:8px;bottom:8px;z-index:2147483647";
    const root = host.attachShadow({ mode: "open" });
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = "Capture";
    b.title = "Capture this page (Ctrl+Shift+S)";
    b.style.cssText = "font:13px sans-serif;padding:4px 10px;background:#8a1020;color:#fff;"
      + "border:0;border-radius:4px;cursor:pointer";
    b.addEventListener("click", (e) => { e.preventDefault(); e.stopPropagation(); ask(); });
    root.appendChild(b);
    document.documentElement.appendChild(host);
  };
  window.__vigilHide = () => { if (host && host.isConnected) host.remove(); };
  window.__vigilShow = () => {
    if (host && !host.isConnected) document.documentElement.appendChild(host);
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", add);
  } else {
    add();
  }
})();
