// Vigil: small progressive enhancements. Every page works without this file.
// n / p jump to the next / previous finding on a conversation page; the current one is outlined.
(function () {
  "use strict";
  function marks() { return Array.prototype.slice.call(document.querySelectorAll(".anchor")); }
  function current(list) {
    var id = window.location.hash.slice(1);
    for (var i = 0; i < list.length; i++) { if (list[i].id === id) { return i; } }
    return -1;
  }
  function show(el) {
    var old = document.querySelectorAll("mark.finding.current");
    for (var i = 0; i < old.length; i++) { old[i].classList.remove("current"); }
    var m = el.nextElementSibling;
    while (m && m.classList.contains("anchor")) { m = m.nextElementSibling; }
    if (m && m.tagName === "MARK") { m.classList.add("current"); }
  }
  function go(step) {
    var list = marks();
    var i = current(list) + step;
    if (i >= 0 && i < list.length) {
      window.location.hash = list[i].id;
      return;
    }
    var sel = step > 0 ? "a.next-finding" : "a.prev-finding";
    var links = document.querySelectorAll(sel);
    var edge = step > 0 ? links[links.length - 1] : links[0];
    if (edge && edge.getAttribute("href").charAt(0) !== "#") { window.location.href = edge.href; }
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target && e.target.tagName;
    if (t === "INPUT" || t === "SELECT" || t === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === "n") { go(1); } else if (e.key === "p") { go(-1); }
  });
  window.addEventListener("hashchange", function () {
    var el = document.getElementById(window.location.hash.slice(1));
    if (el && el.classList.contains("anchor")) { show(el); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var el = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (el && el.classList.contains("anchor")) { show(el); }
  });
})();
