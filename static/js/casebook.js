/* Casebook's script: small progressive enhancements (live.js adds live updates to the
   pages that have them). Every page works without it,
   and it stays within the CSP (served from 'self', no inline code, no eval). */
(function () {
  "use strict";

  /* Elements with data-copy-value get a "Copy" button after them. Its accessible name
     says what it copies (data-copy-label), and a polite live region announces the
     result, because the clipboard gives no visible sign of its own. Without the
     clipboard API (old browsers, plain http on another host) no button appears and
     the value can still be selected and copied by hand. */
  function addCopyButtons() {
    if (!navigator.clipboard || !window.isSecureContext) {
      return;
    }
    document.querySelectorAll("[data-copy-value]").forEach(function (target) {
      var button = document.createElement("button");
      var what = target.getAttribute("data-copy-label") || "";
      var status = document.createElement("span");
      button.type = "button";
      button.className = "button button-secondary button-small";
      button.textContent = "Copy";
      if (what) {
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = " " + what;
        button.appendChild(hidden);
      }
      status.className = "copy-status";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(target.getAttribute("data-copy-value")).then(
          function () { status.textContent = "Copied"; },
          function () { status.textContent = "Could not copy: select the text and copy it instead"; }
        );
      });
      target.insertAdjacentElement("afterend", status);
      target.insertAdjacentElement("afterend", button);
    });
  }

  /* Buttons marked data-print (the debrief) open the browser's print dialog, which
     also saves as PDF; they stay hidden without JavaScript, where the page says
     to use the browser's own Print command. */
  function showPrintButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function enhance() {
    addCopyButtons();
    showPrintButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
