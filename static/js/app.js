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

  // The month-end pack (clients/client_summary.html) takes seconds per client: once a link
  // is clicked the page says so, and the links wait, until the file has come. The request
  // carries a token that the answer hands back in the pack_download cookie
  // (clients.views.MonthPackView); a PDF opens in its place instead, ending this page.
  var pack = document.querySelector("[data-pack]");
  if (pack) {
    var status = document.getElementById("pack-status");
    var links = pack.querySelectorAll("a");
    var timer = null;
    var setBusy = function (busy, message) {
      pack.classList.toggle("busy", busy);
      links.forEach(function (link) {
        if (busy) { link.setAttribute("aria-disabled", "true"); }
        else { link.removeAttribute("aria-disabled"); }
      });
      status.textContent = message;
    };
    var cookieToken = function () {
      var match = document.cookie.match(/(?:^|; )pack_download=([0-9a-z]+)/);
      return match ? match[1] : "";
    };
    var done = function (message) {
      clearInterval(timer);
      timer = null;
      document.cookie = "pack_download=; Max-Age=0; path=/; SameSite=Strict";
      setBusy(false, message);
    };
    links.forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (timer !== null) {  // one pack at a time
          event.preventDefault();
          return;
        }
        var token = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
        var url = new URL(link.href, window.location.href);
        url.searchParams.set("download_token", token);
        link.href = url.toString();
        setBusy(true, status.dataset.busy);
        var started = Date.now();
        timer = setInterval(function () {
          if (cookieToken() === token) {
            done(pack.dataset.ready);
          } else if (Date.now() - started > 600000) {  // the server's own limit (gunicorn)
            done("");
          }
        }, 500);
      });
    });
    // Back from the PDF (the browser's page cache): the page is ready again.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted && timer !== null) { done(""); }
    });
  }
})();
