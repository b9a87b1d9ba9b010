// The document reader: select text with the mouse or with keys, code it in the panel, and
// see existing codings as coloured stripes in the margin.
//
// Offsets. The server counts Unicode code points (Python str indices); JavaScript strings
// count UTF-16 units, so an emoji is 1 on the server and 2 here. Selections are kept here
// in UTF-16 units of the whole text and converted to code points only when sent
// (`toCodePoint`); excerpts arrive in code points and are converted back to draw their
// stripes (`fromCodePoint`). The selected words are sent too, and the server refuses a
// span whose words differ, so a wrong count can never store the wrong text.
"use strict";

(function () {
  var reader = document.getElementById("reader");
  if (!reader) return;
  var stripes = document.getElementById("stripes");
  var form = document.getElementById("code-form");
  var panel = document.getElementById("code-panel");
  var search = document.getElementById("code-search");
  var status = document.getElementById("code-status");
  var docKey = reader.dataset.document;
  var highlights = window.CSS && CSS.highlights && typeof Highlight === "function";

  // --- the text: every text node of the pages (and of the hidden gaps between pages) ------

  var segments = []; // {node, u16, cp, u16Len, cpLen}, in text order
  var byNode = new Map();
  var fullText = "";

  function isHigh(c) { return c >= 0xd800 && c <= 0xdbff; }
  function isLow(c) { return c >= 0xdc00 && c <= 0xdfff; }

  // Code points in s[0:u16): a surrogate pair counts once.
  function codePoints(s, u16) {
    var end = u16 === undefined ? s.length : u16;
    var n = 0;
    for (var i = 0; i < end; i++) {
      if (isHigh(s.charCodeAt(i)) && i + 1 < end && isLow(s.charCodeAt(i + 1))) i++;
      n++;
    }
    return n;
  }

  // The UTF-16 index of code point `cp` of s.
  function units(s, cp) {
    var i = 0;
    for (var n = 0; n < cp && i < s.length; n++) {
      i += isHigh(s.charCodeAt(i)) && i + 1 < s.length && isLow(s.charCodeAt(i + 1)) ? 2 : 1;
    }
    return i;
  }

  function build() {
    segments = [];
    byNode = new Map();
    var parts = [];
    var u16 = 0;
    reader.querySelectorAll(".page-text, .page-gap").forEach(function (el) {
      var cp = Number(el.dataset.start);
      var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      var node;
      while ((node = walker.nextNode())) {
        var seg = { node: node, u16: u16, cp: cp, u16Len: node.data.length, cpLen: codePoints(node.data) };
        segments.push(seg);
        byNode.set(node, seg);
        parts.push(node.data);
        u16 += seg.u16Len;
        cp += seg.cpLen;
      }
    });
    fullText = parts.join("");
  }

  function lastSegment(key, value) { // binary search: the last segment with seg[key] <= value
    var lo = 0, hi = segments.length - 1, found = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (segments[mid][key] <= value) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return segments[found];
  }

  // UTF-16 index in the whole text → code point offset (what the server counts).
  function toCodePoint(u16) {
    if (!segments.length) return 0;
    var seg = lastSegment("u16", u16);
    return seg.cp + codePoints(seg.node.data, Math.min(u16 - seg.u16, seg.u16Len));
  }

  // Code point offset → UTF-16 index in the whole text.
  function fromCodePoint(cp) {
    if (!segments.length) return 0;
    var seg = lastSegment("cp", cp);
    return seg.u16 + units(seg.node.data, Math.min(cp - seg.cp, seg.cpLen));
  }

  // A DOM point (from a selection) → UTF-16 index in the whole text.
  function fromDom(node, offset) {
    var seg = byNode.get(node);
    if (seg) return seg.u16 + offset;
    var probe = document.createRange();
    probe.setStart(node, offset);
    var lo = 0, hi = segments.length - 1, found = segments.length;
    while (lo <= hi) { // the first text node at or after the point
      var mid = (lo + hi) >> 1;
      if (probe.comparePoint(segments[mid].node, 0) >= 0) { found = mid; hi = mid - 1; } else { lo = mid + 1; }
    }
    return found < segments.length ? segments[found].u16 : fullText.length;
  }

  function toDom(u16) {
    var seg = lastSegment("u16", u16);
    return { node: seg.node, offset: Math.min(u16 - seg.u16, seg.u16Len) };
  }

  function rangeOf(start, end) {
    var a = toDom(start), b = toDom(end);
    var range = document.createRange();
    range.setStart(a.node, a.offset);
    range.setEnd(b.node, b.offset);
    return range;
  }

  // --- selecting ------------------------------------------------------------------------------

  var chosen = null; // {start, end}: UTF-16 indices of the whole text
  var cursor = 0; // where the next sentence starts from after a coding

  function trimmed(start, end) {
    while (start < end && /\s/.test(fullText[start])) start++;
    while (end > start && /\s/.test(fullText[end - 1])) end--;
    return start < end ? { start: start, end: end } : null;
  }

  function fromSelection() {
    var sel = window.getSelection();
    if (!sel || !sel.rangeCount || sel.isCollapsed) return null;
    var range = sel.getRangeAt(0);
    if (!range.intersectsNode(reader)) return null;
    return trimmed(fromDom(range.startContainer, range.startOffset), fromDom(range.endContainer, range.endOffset));
  }

  function mark(name, range) {
    if (!highlights) return;
    if (range) CSS.highlights.set(name, new Highlight(range));
    else CSS.highlights.delete(name);
  }

  function scrollTo(range) {
    var rect = range.getBoundingClientRect();
    if (rect.top < 80 || rect.bottom > window.innerHeight - 40) {
      window.scrollBy({ top: rect.top - window.innerHeight / 3, behavior: "auto" });
    }
  }

  function select(span, show) {
    chosen = span;
    if (!span) { mark("reader-pending", null); return; }
    var range = rangeOf(span.start, span.end);
    if (show) {
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      scrollTo(range);
    }
    mark("reader-pending", range);
    fillPanel(span, null);
  }

  // Sentences and words of the whole text, found once (Intl.Segmenter where there is one).
  var sentences = null, words = null;
  function spans(granularity) {
    var found = [];
    if (window.Intl && Intl.Segmenter) {
      var seg = new Intl.Segmenter(document.documentElement.lang || "en", { granularity: granularity });
      for (var s of seg.segment(fullText)) {
        if (granularity === "word" && !s.isWordLike) continue;
        var t = trimmed(s.index, s.index + s.segment.length);
        if (t) found.push(t);
      }
      return found;
    }
    var pattern = granularity === "word" ? /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu : /[^.!?\n]+[.!?]*["'’”)\]]*/g;
    var m;
    while ((m = pattern.exec(fullText))) {
      var span = trimmed(m.index, m.index + m[0].length);
      if (span) found.push(span);
    }
    return found;
  }
  function sentenceList() { return sentences || (sentences = spans("sentence")); }
  function wordList() { return words || (words = spans("word")); }

  // Where reading starts when nothing is selected: the first line in view.
  function topOfView() {
    if (document.caretRangeFromPoint) {
      var box = reader.querySelector(".page-text").getBoundingClientRect();
      var y = Math.max(box.top, 0) + 8;
      var r = document.caretRangeFromPoint(box.left + 4, Math.min(y, window.innerHeight - 4));
      if (r && reader.contains(r.startContainer)) return fromDom(r.startContainer, r.startOffset);
    }
    return cursor;
  }

  function nextSentence(dir) {
    var list = sentenceList();
    if (!list.length) return;
    var found = null;
    if (dir > 0) {
      var from = chosen ? chosen.end : cursor || topOfView();
      found = list.find(function (s) { return s.start >= from; }) || list[list.length - 1];
    } else {
      var before = chosen ? chosen.start : cursor || topOfView();
      for (var i = list.length - 1; i >= 0; i--) { if (list[i].start < before) { found = list[i]; break; } }
      found = found || list[0];
    }
    select({ start: found.start, end: found.end }, true);
  }

  function moveEnd(list, dir) {
    if (!chosen) { nextSentence(1); return; }
    var end = chosen.end, found = null;
    if (dir > 0) {
      found = list.find(function (s) { return s.end > end; });
    } else {
      for (var i = list.length - 1; i >= 0; i--) {
        if (list[i].end < end && list[i].end > chosen.start) { found = list[i]; break; }
      }
    }
    if (found) select({ start: chosen.start, end: found.end }, true);
  }

  // --- the coding panel -----------------------------------------------------------------------

  function field(id) { return document.getElementById(id); }

  function say(text) { if (status) status.textContent = text; }

  function fillPanel(span, excerptId) {
    if (!form) return;
    field("code-start").value = span ? String(toCodePoint(span.start)) : "";
    field("code-end").value = span ? String(toCodePoint(span.end)) : "";
    field("code-quote").value = span ? fullText.slice(span.start, span.end) : "";
    field("code-excerpt").value = excerptId ? String(excerptId) : "";
    panel.classList.toggle("open", !!span);
  }

  function openPanel() {
    if (!form) { say("Your role cannot code."); return; }
    if (!chosen) { nextSentence(1); }
    if (!chosen) return;
    panel.classList.add("open");
    search.focus({ preventScroll: true });
    search.select();
    if (window.getComputedStyle(panel).position === "fixed") { // narrow or zoomed: a sheet
      var rect = rangeOf(chosen.start, chosen.end).getBoundingClientRect(); // keep it in view above it
      window.scrollBy({ top: rect.top - 8 });
    }
    var n = codePoints(fullText.slice(chosen.start, chosen.end));
    say("Coding " + n + " characters. Type to find a configuration, arrows to choose, Enter to save.");
  }

  function closePanel(clear) {
    panel.classList.remove("open");
    if (clear) { select(null); fillPanel(null, null); window.getSelection().removeAllRanges(); }
    reader.focus({ preventScroll: true });
  }

  function options() {
    return Array.prototype.filter.call(form.querySelectorAll('input[name="target"]'), function (r) {
      return !r.closest(".target").hidden;
    });
  }

  function labelOf(radio) {
    var label = form.querySelector('label[for="' + radio.id + '"]');
    return label ? label.textContent.replace(/\s+/g, " ").trim() : radio.value;
  }

  function choose(radio) {
    if (!radio) return;
    radio.checked = true;
    radio.closest(".target-option").scrollIntoView({ block: "nearest" });
    say("Chosen: " + labelOf(radio));
  }

  function filter() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var exact = null;
    form.querySelectorAll(".target").forEach(function (t) {
      var text = t.dataset.search || "";
      var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
      if (words.length === 1 && t.dataset.identifier === words[0]) { hit = true; exact = t; }
      t.hidden = !hit;
    });
    form.querySelectorAll(".target-topic").forEach(function (topic) {
      var next = topic.nextElementSibling, any = false;
      while (next && next.classList.contains("target")) { if (!next.hidden) any = true; next = next.nextElementSibling; }
      topic.hidden = !any;
    });
    var checked = form.querySelector('input[name="target"]:checked');
    if (exact) choose(exact.querySelector('input[name="target"]'));
    else if (!checked || checked.closest(".target").hidden) choose(options()[0]);
    if (!options().length) say("No configuration matches.");
  }

  function step(dir) {
    var list = options();
    if (!list.length) return;
    var at = list.indexOf(form.querySelector('input[name="target"]:checked'));
    choose(list[Math.max(0, Math.min(list.length - 1, at + dir))]);
  }

  function stance(n) {
    var radio = form.querySelector('input[name="stance"][data-key="' + n + '"]');
    if (radio) { radio.checked = true; say("Stance: " + radio.value); }
  }

  function save() {
    if (!field("code-quote").value.trim()) { say("Select some text first."); return; }
    if (!form.querySelector('input[name="target"]:checked')) { say("Choose a configuration first."); search.focus(); return; }
    if (form.requestSubmit) form.requestSubmit(field("code-save"));
    else field("code-save").click();
  }

  // --- stripes ---------------------------------------------------------------------------------

  var LANES = 5;
  var shown = null; // the excerpt whose codings are shown

  function excerptItems() {
    return Array.prototype.map.call(
      document.querySelectorAll('#excerpts li[data-excerpt][data-current="true"]'),
      function (li) {
        return {
          id: Number(li.dataset.excerpt),
          start: fromCodePoint(Number(li.dataset.start)),
          end: fromCodePoint(Number(li.dataset.end)),
          colours: (li.dataset.colours || "").split(" ").filter(Boolean),
          name: li.dataset.name || "",
        };
      }
    ).sort(function (a, b) { return a.start - b.start || a.end - b.end; });
  }

  function draw() {
    if (!stripes) return;
    stripes.replaceChildren();
    var top = reader.getBoundingClientRect().top;
    var lanes = [];
    excerptItems().forEach(function (item) {
      var rects = Array.prototype.filter.call(rangeOf(item.start, item.end).getClientRects(), function (r) { return r.height > 0; });
      if (!rects.length) return;
      var y0 = Math.min.apply(null, rects.map(function (r) { return r.top; })) - top;
      var y1 = Math.max.apply(null, rects.map(function (r) { return r.bottom; })) - top;
      (item.colours.length ? item.colours : ["none"]).forEach(function (colour) {
        var lane = lanes.findIndex(function (end) { return end <= y0; });
        if (lane < 0) { lane = Math.min(lanes.length, LANES - 1); }
        lanes[lane] = Math.max(lanes[lane] || 0, y1 + 2);
        var b = document.createElement("button");
        b.type = "button";
        b.tabIndex = -1; // keys: ] and [ (and the list of excerpts) reach them
        b.className = "stripe topic-" + colour + (item.id === shown ? " current" : "");
        b.dataset.excerpt = String(item.id);
        b.setAttribute("aria-label", "Excerpt " + item.name);
        b.title = item.name;
        b.style.top = y0 + "px"; // CSSOM, not a style attribute: allowed by the CSP
        b.style.height = Math.max(y1 - y0, 6) + "px";
        b.style.left = lane * 0.55 + "rem";
        stripes.appendChild(b);
      });
    });
  }

  function showExcerpt(id) {
    shown = id;
    if (window.htmx) {
      htmx.ajax("GET", "/documents/" + encodeURIComponent(docKey) + "/excerpts/" + id, { target: "#excerpt-detail", swap: "innerHTML" });
    } else {
      window.location.href = "/documents/" + encodeURIComponent(docKey) + "?excerpt=" + id + "#excerpt-detail";
    }
  }

  function jump(dir) {
    var items = excerptItems();
    if (!items.length) return;
    var at = items.findIndex(function (i) { return i.id === shown; });
    var next = items[(at + dir + items.length) % items.length] || items[0];
    if (at < 0 && dir < 0) next = items[items.length - 1];
    select({ start: next.start, end: next.end }, true);
    showExcerpt(next.id);
  }

  // Highlight the excerpt whose codings are shown (and redraw the stripes); its range.
  function markShown() {
    var detail = document.querySelector("#excerpt-detail .excerpt-detail");
    var range = null;
    shown = detail ? Number(detail.dataset.excerpt) : null;
    if (detail && segments.length) {
      range = rangeOf(fromCodePoint(Number(detail.dataset.start)), fromCodePoint(Number(detail.dataset.end)));
    }
    mark("reader-excerpt", range);
    draw();
    return range;
  }

  // --- events ----------------------------------------------------------------------------------

  reader.addEventListener("mouseup", function () {
    window.setTimeout(function () {
      var span = fromSelection();
      if (span) { select(span, false); cursor = span.end; say("Selection ready to code: choose a configuration in the panel."); }
    }, 0);
  });

  reader.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key, handled = true;
    if (key === "s" || key === "S") nextSentence(event.shiftKey ? -1 : 1);
    else if (event.shiftKey && key === "ArrowRight") moveEnd(wordList(), 1);
    else if (event.shiftKey && key === "ArrowLeft") moveEnd(wordList(), -1);
    else if (event.shiftKey && key === "ArrowDown") moveEnd(sentenceList(), 1);
    else if (event.shiftKey && key === "ArrowUp") moveEnd(sentenceList(), -1);
    else if (key === "c" || key === "Enter") { var span = fromSelection(); if (span) select(span, false); openPanel(); }
    else if (key === "]") jump(1);
    else if (key === "[") jump(-1);
    else if (key === "Escape") closePanel(true);
    else handled = false;
    if (handled) event.preventDefault();
  });

  if (form) {
    search.addEventListener("input", filter);
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target instanceof HTMLTextAreaElement || (target instanceof HTMLInputElement && target.type !== "radio" && target.type !== "checkbox");
      if (event.key === "Escape") { closePanel(false); event.preventDefault(); return; }
      if (target === search && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        step(event.key === "ArrowDown" ? 1 : -1); event.preventDefault(); return;
      }
      if (target instanceof HTMLInputElement && target.name === "target" && /^Arrow/.test(event.key)) {
        step(event.key === "ArrowDown" || event.key === "ArrowRight" ? 1 : -1); event.preventDefault(); return;
      }
      if (event.key === "Enter" && !(target instanceof HTMLTextAreaElement) && !(target instanceof HTMLButtonElement) && !target.closest(".new-config")) {
        save(); event.preventDefault(); return;
      }
      if (!typing && /^[1-3]$/.test(event.key)) { stance(event.key); event.preventDefault(); }
    });
    field("code-cancel").addEventListener("click", function () { closePanel(true); });
    // The quote is the selection's: with scripts it is read-only (edit the selection instead).
    field("code-quote").readOnly = true;
  }

  document.addEventListener("click", function (event) {
    var el = event.target instanceof Element ? event.target : null;
    if (!el) return;
    var stripe = el.closest(".stripe");
    if (stripe) { showExcerpt(Number(stripe.dataset.excerpt)); return; }
    var again = el.closest("[data-code-excerpt]");
    if (again) {
      var detail = again.closest(".excerpt-detail");
      var span = { start: fromCodePoint(Number(detail.dataset.start)), end: fromCodePoint(Number(detail.dataset.end)) };
      select(span, false);
      fillPanel(span, Number(again.dataset.codeExcerpt));
      openPanel();
      return;
    }
    if (el.closest("[data-close-detail]")) {
      document.getElementById("excerpt-detail").replaceChildren();
      markShown();
      reader.focus({ preventScroll: true });
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target) return;
    if (target.id === "excerpts") { // a change was saved: new stripes, the panel closes
      var coded = event.detail.requestConfig && event.detail.requestConfig.elt && event.detail.requestConfig.elt.closest("#code-form");
      markShown();
      if (coded) {
        if (chosen) cursor = chosen.end;
        fillPanel(null, null);
        select(null);
        search.value = "";
        filter();
        window.getSelection().removeAllRanges();
        panel.classList.remove("open");
        say("Saved.");
        reader.focus({ preventScroll: true });
      }
    }
    if (target.id === "excerpt-detail") { // a stripe, an excerpt in the list, or ] [
      var range = markShown();
      if (range) scrollTo(range);
      var heading = target.querySelector("h2");
      if (heading && !reader.contains(document.activeElement)) heading.focus({ preventScroll: true });
    }
  });

  // A refused change (400, 403, ...) also goes to the page's messages, far above a long
  // text: say it in the panel where the reviewer is working too (as text, never HTML).
  document.addEventListener("htmx:responseError", function (event) {
    var elt = event.detail.elt;
    var box = elt instanceof Element ? elt.closest(".reader-side .panel") : null;
    if (!box) return;
    var said = new DOMParser().parseFromString(event.detail.xhr.responseText || "", "text/html");
    var text = (said.body.textContent || "").replace(/\s+/g, " ").trim().replace(/ ?Dismiss$/, "");
    var alert = box.querySelector(".panel-error") || document.createElement("p");
    alert.className = "alert alert-error panel-error";
    alert.setAttribute("role", "alert");
    alert.textContent = text || "Not saved (error " + event.detail.xhr.status + ").";
    var heading = box.querySelector("h2");
    var after = heading ? heading.closest(".section-head, summary") || heading : null;
    if (after && after.parentElement === box) after.after(alert); else box.prepend(alert);
    if (box.id === "code-panel") say(alert.textContent);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    var box = elt instanceof Element ? elt.closest(".reader-side .panel") : null;
    var old = box && event.detail.successful ? box.querySelector(".panel-error") : null;
    if (old) old.remove();
  });

  // MMAT: the chosen category's criteria, enabled only when both screening answers are yes.
  function mmat() {
    var form = document.querySelector(".mmat-form");
    if (!form) return;
    var category = form.querySelector("#mmat-category").value;
    var yes = ["s1", "s2"].every(function (n) {
      var r = form.querySelector('input[name="' + n + '"]:checked');
      return r && r.value === "yes";
    });
    form.querySelectorAll(".mmat-criteria").forEach(function (set) {
      var mine = set.dataset.category === category;
      set.hidden = !mine;
      set.disabled = !mine || !yes;
      set.querySelectorAll('input[type="radio"]').forEach(function (r) { r.required = mine && yes; });
    });
    // A mixed methods study: its qualitative component and the chosen quantitative one.
    var mixed = category === "mixed_methods";
    var components = form.querySelector(".mmat-components");
    if (!components) return;
    components.hidden = !mixed;
    var quantitative = form.querySelector("#mmat-quantitative");
    quantitative.disabled = !mixed;
    components.querySelectorAll(".mmat-component").forEach(function (set) {
      var mine = mixed && (set.dataset.component === "qualitative" ||
                           set.dataset.component === quantitative.value);
      set.hidden = !mine;
      set.disabled = !mine || !yes;
      set.querySelectorAll('input[type="radio"]').forEach(function (r) { r.required = mine && yes; });
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target instanceof Element && event.target.closest(".mmat-form")) mmat();
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "mmat") mmat();
  });

  var pending = 0;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(draw, 150);
  });

  build();
  mmat();
  var asked = markShown(); // ?excerpt=N: show where it is
  if (asked) scrollTo(asked);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(draw);

  // For the browser tests: the conversions, so they can be checked on real text.
  window.realistReader = { toCodePoint: toCodePoint, fromCodePoint: fromCodePoint, select: function (s, e) { select({ start: s, end: e }, true); }, text: function () { return fullText; } };
})();
