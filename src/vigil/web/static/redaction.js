// The redaction editor: selecting text in one message fills in the message number and the
// characters (counted in Unicode code points, as the server counts them) of the span form.
// The form works without it (type the numbers).
"use strict";

(function () {
  function codePoints(text) {
    return Array.from(text).length;
  }

  function offsetIn(el, node, offset) {
    const r = document.createRange();
    r.selectNodeContents(el);
    r.setEnd(node, offset);
    return codePoints(r.toString());
  }

  function onSelection() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    const range = sel.getRangeAt(0);
    const a = range.startContainer.parentElement && range.startContainer.parentElement.closest(".msg-text");
    const b = range.endContainer.parentElement && range.endContainer.parentElement.closest(".msg-text");
    const out = document.getElementById("redact-selection");
    if (!a || a !== b) {
      if (out && (a || b)) out.textContent = "Select text within one message.";
      return;
    }
    const start = offsetIn(a, range.startContainer, range.startOffset);
    const end = offsetIn(a, range.endContainer, range.endOffset);
    if (end <= start) return;
    document.getElementById("redact-seq").value = a.dataset.seq;
    document.getElementById("redact-start").value = start;
    document.getElementById("redact-end").value = end;
    if (out) {
      out.textContent = "Message " + a.dataset.seq + ", characters " + start + " to " + end +
        " (" + (end - start) + " selected). Choose a reason and save.";
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".msg-text").forEach(function (el) {
      el.addEventListener("mouseup", onSelection);
      el.addEventListener("keyup", onSelection);
    });
    document.addEventListener("selectionchange", function () {
      window.clearTimeout(onSelection.timer);
      onSelection.timer = window.setTimeout(onSelection, 150);
    });
  });
})();
