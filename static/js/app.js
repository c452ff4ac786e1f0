// What the pages do in the browser. Kept in this file, never inline in the HTML: the
// Content-Security-Policy (firm/settings.py) runs only the app's own script files.
(function () {
  "use strict";

  // The language menu (base.html) changes language as soon as one is chosen.
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });

  // On a phone the menu (base.html) is folded behind its Menu button.
  var toggle = document.querySelector(".menu-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = document.querySelector(".topbar").classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // The dial helper's Copy button (clients/client_detail.html) copies the string to dial.
  // It says "Copied" beside it (in the page's language: data-copied) for a moment.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = document.getElementById(button.dataset.copy).textContent;
      var status = button.nextElementSibling;
      if (!navigator.clipboard) {  // not HTTPS: select the string for Ctrl+C instead
        window.getSelection().selectAllChildren(document.getElementById(button.dataset.copy));
        return;
      }
      navigator.clipboard.writeText(text).then(function () {
        if (status) {
          status.textContent = button.dataset.copied;
          setTimeout(function () { status.textContent = ""; }, 2000);
        }
      });
    });
  });

  // The unassigned calls queue (calls/unassigned.html): the header box ticks every call.
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("#assign-form input[name=calls]:not(:disabled)").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  }

  // A form with data-confirm (e.g. Chiudi on calls/periods.html) asks before it is sent;
  // the question is the attribute's text, in the page's language.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
})();
