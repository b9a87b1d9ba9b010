// Explore: after a matrix cell's excerpts arrive, mark the cell and move focus to them.
"use strict";

(function () {
  var chosen = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    if (source instanceof Element && source.closest(".heatmap")) {
      if (chosen) chosen.removeAttribute("aria-current");
      chosen = source;
      chosen.setAttribute("aria-current", "true");
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!(target instanceof Element) || target.id !== "drill") return;
    var heading = document.getElementById("drill-heading");
    if (heading) heading.focus(); // scrolls only when the excerpts are out of view
  });
})();
