// Every page: the CSRF header on htmx requests, messages, and moving focus after a swap.
"use strict";

(function () {
  // Styles that only make sense with scripts on (e.g. the reason picker opens on demand).
  document.documentElement.classList.replace("no-js", "js");

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx sends the session's token with every request (the server checks unsafe ones).
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  // "Busy" (503) from this server is a message fragment aimed at #messages; a 503 from
  // anything else (a proxy's page) must not be swapped into the page.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status === 503 && !xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = false;
    }
  });

  // A server error has no fragment to show; say so where messages go.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr.status;
    if (status === 503 && xhr.getResponseHeader("HX-Retarget")) return; // already shown
    if (status === 503) {
      showMessage("The review is busy with another change; nothing was changed. Try again in a few seconds.");
    } else if (status >= 500) {
      showMessage("The server could not do that (error " + status + "). Nothing was changed.");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    showMessage("The server cannot be reached. Is `realist serve` still running?");
  });

  function showMessage(text) {
    var region = document.getElementById("messages");
    if (!region) return;
    var box = document.createElement("div");
    box.className = "alert alert-error";
    box.setAttribute("role", "alert");
    box.textContent = text; // textContent: never HTML
    region.replaceChildren(box);
  }

  // Clear an old message once the next request succeeds; dismiss buttons.
  document.addEventListener("htmx:afterRequest", function (event) {
    var region = document.getElementById("messages");
    if (region && event.detail.successful && event.detail.target !== region) {
      region.replaceChildren();
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.matches("[data-dismiss]")) {
      var alert = target.closest(".alert");
      if (alert) alert.remove();
    }
  });

  window.realist = { showMessage: showMessage };
})();
