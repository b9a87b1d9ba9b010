// Screening with single keys: i include, e exclude (then 1-9 for the reason, 0 or Enter for
// none, Esc to cancel), m maybe, r not retrieved (full text), u undo, n next (skip this record for now). Each key presses the button a mouse would,
// so the server sees the same request either way.
"use strict";

(function () {
  function card() { return document.getElementById("screen-card"); }
  function picker() { return document.getElementById("reason-picker"); }
  function picking() { var p = picker(); return !!p && p.classList.contains("open"); }

  function press(selector) {
    var el = card() && card().querySelector(selector);
    if (el && !el.disabled) { el.click(); return true; }
    return false;
  }

  function openPicker() {
    var p = picker();
    if (!p) { return press('button[value="exclude"]#exclude-button'); }
    p.classList.add("open");
    document.getElementById("exclude-button").setAttribute("aria-expanded", "true");
    var first = p.querySelector('input[type="radio"]:checked') || p.querySelector('input[type="radio"]');
    if (first) first.focus();
    return true;
  }

  function closePicker() {
    var p = picker();
    if (!p) return;
    p.classList.remove("open");
    var button = document.getElementById("exclude-button");
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }

  function chooseReason(n) {
    var radio = document.getElementById("reason-" + n);
    if (!radio) return false;
    radio.checked = true;
    return press("#confirm-exclude");
  }

  function confirmExclusion() {
    var p = picker();
    var chosen = p.querySelector('input[type="radio"]:checked');
    if (!chosen && p.dataset.required === "true") {
      window.realist.showMessage("Choose a reason: a full-text exclusion must cite one.");
      return true;
    }
    return press("#confirm-exclude");
  }

  // With JavaScript, the Exclude button opens the reason picker instead of submitting.
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("#exclude-button") : null;
    if (target && picker() && !picking()) {
      event.preventDefault();
      openPicker();
    }
  });

  var KEYS = {
    i: function () { return press('button[value="include"]'); },
    e: openPicker,
    m: function () { return press('button[value="maybe"]'); },
    r: function () { return press('button[value="not_retrieved"]'); },
    u: function () { return press('button[data-key="u"]'); },
    n: function () { return press('a[data-key="n"]'); },
  };

  // Keys pressed while a decision is on its way (or its answer is being swapped in) would
  // act on the card that is leaving, or on nothing: they wait and run on the new card.
  var busy = false;
  var waiting = [];
  function fromCard(event) {
    var elt = event.detail && event.detail.elt;
    return elt instanceof Element && (elt.id === "screen-card" || !!elt.closest("#screen-card"));
  }
  document.addEventListener("htmx:beforeRequest", function (event) { if (fromCard(event)) busy = true; });
  function settled() {
    busy = false;
    while (!busy && waiting.length) {
      var queued = waiting.shift();
      document.dispatchEvent(new KeyboardEvent("keydown", { key: queued, bubbles: true, cancelable: true }));
    }
  }
  document.addEventListener("htmx:afterSettle", function () { if (busy) settled(); });
  function failed() { busy = false; waiting = []; }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  document.addEventListener("keydown", function (event) {
    if (!card() || event.ctrlKey || event.metaKey || event.altKey) return;
    if (busy && (KEYS[event.key.toLowerCase()] || /^[0-9]$|^Enter$|^Escape$/.test(event.key))) {
      if (waiting.length < 8) waiting.push(event.key);
      event.preventDefault();
      return;
    }
    var target = event.target;
    var inPicker = picking();
    if (inPicker) {
      if (event.key === "Escape") { closePicker(); event.preventDefault(); return; }
      if (/^[0-9]$/.test(event.key)) {
        if (chooseReason(event.key)) event.preventDefault();
        return;
      }
      if (event.key === "Enter") { confirmExclusion(); event.preventDefault(); return; }
    }
    // Typing in a field (a note, a select) is not a command.
    if (target instanceof Element && target.matches("input:not([type=radio]), textarea, select, [contenteditable]")) return;
    var action = KEYS[event.key.toLowerCase()];
    if (action && action()) event.preventDefault();
  });

  // After a new card arrives, put focus on its title so a screen reader reads it.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "screen-card" || (card() && card().contains(event.detail.elt))) {
      var title = card() && card().querySelector(".screen-title");
      if (title) title.focus({ preventScroll: false });
    }
  });
})();
