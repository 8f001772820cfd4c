// The media page: empties an unblur reason once it has been used, so that the next unblurred
// view asks for its own reason, and closes the panel. The page works without it.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("details.unblur form").forEach(function (form) {
    form.addEventListener("submit", function () {
      const input = form.querySelector("input[name=reason]");
      const panel = form.closest("details");
      window.setTimeout(function () {
        if (input) input.value = "";
        if (panel) panel.open = false;
      }, 0);
    });
  });
});
