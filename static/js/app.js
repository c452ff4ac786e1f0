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

  // A job's page (firm/job.html): long work (a month pack, a long PDF, issuing) runs in the
  // task worker; the page asks its status URL every second and shows how far it has got
  // ("12/280 clienti"), then the download link, or why it failed.
  var job = document.getElementById("job");
  if (job && job.dataset.finished !== "1") {
    var byId = function (id) { return document.getElementById(id); };
    var show = function (id, shown) { byId(id).hidden = !shown; };
    var update = function (state) {
      byId("job-state").textContent = state.status_text;
      byId("job-progress-text").textContent = state.progress;
      var bar = byId("job-progress");
      bar.max = Math.max(state.total, 1);
      bar.value = state.done;
      show("job-progress", !state.finished && state.total > 0);
      byId("job-error-text").textContent = state.error;
      show("job-error", state.error !== "");
      var report = byId("job-report");
      report.textContent = "";
      state.report.forEach(function (line) {
        var item = document.createElement("li");
        item.className = line.level;
        item.textContent = line.text;
        report.appendChild(item);
      });
      if (state.download_url) {
        byId("job-download-link").href = state.download_url;
        byId("job-file-name").textContent = state.file_name;
      }
      show("job-download", state.download_url !== "");
      show("job-leave", !state.finished);
      job.dataset.finished = state.finished ? "1" : "0";
    };
    var poll = function () {
      fetch(job.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (state) {
          update(state);
          if (!state.finished) { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 5000); });  // the server restarting: ask later
    };
    setTimeout(poll, 500);
  }
})();
