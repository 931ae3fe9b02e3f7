/* qadeck cheat sheet: live search, flag filters, problem filters (level, source, topic, company)
   in a panel that opens from the search bar, expand/collapse, theme, print. The page is complete
   without this script; it only adds controls. */
(function () {
  "use strict";
  var root = document.documentElement;
  var THEME_KEY = "qadeck-theme";
  try {
    var saved = localStorage.getItem(THEME_KEY);
    if (saved === "dark" || saved === "light") root.setAttribute("data-theme", saved);
  } catch (e) { /* storage may be off for file:// pages */ }

  var norm = function (s) { return s.normalize("NFKC").toLowerCase(); };
  var items = [];        // one per question card, document order
  var byEl = new Map();
  var box, count, nomatch, flagButtons, problemButtons, bar, panel, toggle;
  var inPage = false;  // the dropped-down panel was open in the page before
  var DIMS = { level: "lv", source: "src", topic: "tp", company: "co" };  // filter -> URL key
  var detailText = new WeakMap();
  var marking = 0;

  document.addEventListener("DOMContentLoaded", init);

  function init() {
    box = document.getElementById("qd-search");
    count = document.getElementById("qd-count");
    nomatch = document.getElementById("qd-nomatch");
    flagButtons = Array.prototype.slice.call(document.querySelectorAll(".qd-f"));
    problemButtons = Array.prototype.slice.call(document.querySelectorAll(".qd-pf"));
    bar = document.getElementById("qd-controls");
    panel = document.getElementById("qd-panel");
    toggle = document.getElementById("qd-filter");
    index();
    bar.hidden = false;
    // The filters show at the top on a wide screen; a phone starts with the results.
    showPanel(window.matchMedia("(min-width: 40rem)").matches, false);

    var params = new URLSearchParams(location.search);
    box.value = params.get("q") || "";
    var wanted = (params.get("f") || "").split(",").filter(Boolean);
    flagButtons.forEach(function (b) { b.setAttribute("aria-pressed", String(wanted.indexOf(b.dataset.flag) >= 0)); });
    problemButtons.forEach(function (b) {
      var chosen = (params.get(DIMS[b.dataset.dim]) || "").split(",").filter(Boolean);
      b.setAttribute("aria-pressed", String(chosen.indexOf(b.dataset.value) >= 0));
    });

    // On huge pages each pass restyles thousands of cards: wait for a pause in typing there.
    var delay = items.length > 2000 ? 150 : 0;
    var timer = 0;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      if (delay) timer = setTimeout(function () { apply(); saveUrl(); }, delay); else { apply(); saveUrl(); }
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape") {
        if (box.value) { box.value = ""; apply(); saveUrl(); } else { box.blur(); }
      }
    });
    flagButtons.concat(problemButtons).forEach(function (b) {
      b.addEventListener("click", function () {
        b.setAttribute("aria-pressed", String(b.getAttribute("aria-pressed") !== "true"));
        apply(); saveUrl();
      });
    });
    toggle.addEventListener("click", togglePanel);
    document.getElementById("qd-clear").addEventListener("click", function () {
      flagButtons.concat(problemButtons).forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
      apply(); saveUrl();
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && panel.classList.contains("qd-float")) { closePanel(); toggle.focus(); }
    });
    window.addEventListener("scroll", function () {  // back at the top: the panel goes back to its place
      if (panel.classList.contains("qd-float") && bar.getBoundingClientRect().top > 0) {
        showPanel(true, false); inPage = false;
      }
    }, { passive: true });
    document.addEventListener("click", function (e) {  // a click outside a dropped-down panel closes it
      if (panel.classList.contains("qd-float") && !panel.contains(e.target) && !bar.contains(e.target)) {
        closePanel();
      }
    });
    document.getElementById("qd-expand").addEventListener("click", function () { setAll(true); });
    document.getElementById("qd-collapse").addEventListener("click", function () { setAll(false); });
    setupTheme();
    keepHeaderHeight();
    document.addEventListener("keydown", slashFocus);
    window.addEventListener("hashchange", reveal);
    window.addEventListener("beforeprint", function () { printDetails(true); });
    window.addEventListener("afterprint", function () { printDetails(false); });
    apply();
    reveal();
    if (window.performance && performance.mark) performance.mark("qadeck-ready");  // for the benchmark
  }

  function index() {
    var cards = document.querySelectorAll("article.qd-q");
    for (var i = 0; i < cards.length; i++) {
      var el = cards[i];
      var parentEl = el.parentElement.closest("article.qd-q");
      var own = [el.querySelector(":scope > .qd-qh"), el.querySelector(":scope > .qd-ans")];
      var text = "";
      own.forEach(function (part) {
        if (!part) return;
        text += " " + part.textContent;
        part.querySelectorAll("math[alttext]").forEach(function (m) { text += " " + m.getAttribute("alttext"); });
      });
      var item = {
        el: el, text: norm(text), parent: parentEl ? byEl.get(parentEl) : null,
        flags: (el.dataset.flags || "").split("|").filter(Boolean),
        problem: el.classList.contains("qd-p") ? problemValues(el) : null,
        note: el.closest(".qd-note"), section: el.closest(".qd-sec"), details: el.querySelectorAll(":scope > .qd-ans details"),
        childShown: false
      };
      items.push(item);
      byEl.set(el, item);
    }
  }

  function problemValues(el) {
    var values = {};
    Object.keys(DIMS).forEach(function (dim) {
      values[dim] = (el.getAttribute("data-" + dim) || "").split("|").filter(Boolean);
    });
    return values;
  }

  function state() {
    var chosen = {};
    var any = false;
    problemButtons.forEach(function (b) {
      if (b.getAttribute("aria-pressed") !== "true") return;
      (chosen[b.dataset.dim] = chosen[b.dataset.dim] || []).push(b.dataset.value);
      any = true;
    });
    return {
      terms: norm(box.value).split(/\s+/).filter(Boolean),
      flags: flagButtons.filter(function (b) { return b.getAttribute("aria-pressed") === "true"; })
        .map(function (b) { return b.dataset.flag; }),
      problems: chosen, anyProblem: any
    };
  }

  /* A problem filter keeps problems only: any chosen value of each filter, every filter chosen. */
  function problemMatches(it, s) {
    if (!s.anyProblem) return true;
    if (!it.problem) return false;
    return Object.keys(s.problems).every(function (dim) {
      return s.problems[dim].some(function (v) { return it.problem[dim].indexOf(v) >= 0; });
    });
  }

  function apply() {
    var s = state();
    var filtering = s.terms.length > 0 || s.flags.length > 0 || s.anyProblem;
    var perNote = new Map();
    var perSection = new Map();
    var shown = 0;
    items.forEach(function (it) { it.childShown = false; });
    document.querySelectorAll("details[data-qd-auto]").forEach(function (d) {
      d.open = false; d.removeAttribute("data-qd-auto");
    });
    for (var i = items.length - 1; i >= 0; i--) {  // children come after parents: walk backwards
      var it = items[i];
      var self = s.terms.every(function (t) { return it.text.indexOf(t) >= 0; }) &&
        (s.flags.length === 0 || s.flags.some(function (f) { return it.flags.indexOf(f) >= 0; })) &&
        problemMatches(it, s);
      var visible = self || it.childShown;
      it.el.hidden = !visible;
      it.el.classList.toggle("qd-ctx", visible && !self);
      if (visible && it.parent) it.parent.childShown = true;
      if (self) {
        shown++;
        perNote.set(it.note, (perNote.get(it.note) || 0) + 1);
        perSection.set(it.section, (perSection.get(it.section) || 0) + 1);
        if (s.terms.length) openMatching(it, s.terms);
      }
    }
    document.querySelectorAll(".qd-sec").forEach(function (sec) {
      sec.hidden = !sec.querySelector("article.qd-q:not([hidden])");
      var n = sec.querySelector(":scope > .qd-sh > .qd-n");
      if (n) {
        if (!n.dataset.total) n.dataset.total = n.textContent;
        n.textContent = filtering ? (perSection.get(sec) || 0) + " / " + n.dataset.total : n.dataset.total;
      }
    });
    document.querySelectorAll(".qd-note").forEach(function (note) {
      var n = perNote.get(note) || 0;
      note.hidden = filtering && n === 0;
      var c = note.querySelector(":scope > h2 .qd-c");
      if (c) {
        if (!c.dataset.text) c.dataset.text = c.textContent;
        c.textContent = filtering ? {{js:shown_in_note(n, c.dataset.total)}} : c.dataset.text;
      }
    });
    count.textContent = filtering ? {{js:shown_of(shown, items.length)}} : {{js:total(items.length)}};
    summarize();
    nomatch.hidden = !filtering || shown > 0;
    // Highlights come a frame later: the filtered list shows first, even on a long page.
    cancelAnimationFrame(marking);
    marking = requestAnimationFrame(function () { mark(s.terms); });
  }

  /* The filter panel: in the page under the bar, or dropped down from the bar (`float`) when the
     reader is further down, so that the sticky part stays one row. */
  function showPanel(open, float) {
    panel.hidden = !open;
    panel.classList.toggle("qd-float", open && float);
    toggle.setAttribute("aria-expanded", String(open));
  }

  function togglePanel() {
    var below = bar.getBoundingClientRect().bottom;
    if (panel.hidden) {
      showPanel(true, false);
      if (panel.getBoundingClientRect().top < below - 1) showPanel(true, true);  // its place is above
    } else if (!panel.classList.contains("qd-float") && panel.getBoundingClientRect().bottom <= below) {
      inPage = true;  // open at the page's top, out of sight: brought here, and put back when closed
      showPanel(true, true);
    } else {
      closePanel();
    }
  }

  function closePanel() {
    showPanel(inPage && panel.classList.contains("qd-float"), false);
    inPage = false;
  }

  /* One line under the search row says which filters hold, so they show with the panel closed. */
  function summarize() {
    var parts = [];
    var pressed = function (b) { return b.getAttribute("aria-pressed") === "true"; };
    var label = function (b) { return b.firstChild.nodeValue.trim(); };
    var flags = flagButtons.filter(pressed).map(label);
    if (flags.length) parts.push(flags.join(" / "));
    document.querySelectorAll(".qd-pfl").forEach(function (group) {
      var chosen = Array.prototype.filter.call(group.querySelectorAll(".qd-pf"), pressed).map(label);
      if (chosen.length) parts.push(group.querySelector(".qd-pfn").textContent + ": " + chosen.join(" / "));
    });
    var n = flagButtons.concat(problemButtons).filter(pressed).length;
    document.getElementById("qd-active").textContent = n ? String(n) : "";
    document.getElementById("qd-summary-text").textContent = {{js:filtered(parts.join(" · "))}};
    document.getElementById("qd-summary").hidden = n === 0;
  }

  /* A match hidden in a folded part opens it, so the reader sees why the card matched. */
  function openMatching(it, terms) {
    it.details.forEach(function (d) {
      if (d.open) return;
      var t = detailText.get(d);
      if (t === undefined) { t = norm(d.textContent); detailText.set(d, t); }
      if (terms.some(function (term) { return t.indexOf(term) >= 0; })) {
        d.open = true; d.setAttribute("data-qd-auto", "");
      }
    });
  }

  /* Highlight matches with the CSS Custom Highlight API where the browser has it (no DOM changes). */
  function mark(terms) {
    if (!(window.CSS && CSS.highlights && window.Highlight)) return;
    CSS.highlights.delete("qd-hit");
    if (!terms.length) return;
    var ranges = [];
    var limit = 3000;
    for (var i = 0; i < items.length && ranges.length < limit; i++) {
      var it = items[i];
      if (it.el.hidden || it.el.classList.contains("qd-ctx")) continue;
      [it.el.querySelector(":scope > .qd-qh"), it.el.querySelector(":scope > .qd-ans")].forEach(function (part) {
        if (!part) return;
        var walk = document.createTreeWalker(part, NodeFilter.SHOW_TEXT);
        for (var node = walk.nextNode(); node && ranges.length < limit; node = walk.nextNode()) {
          var text = node.nodeValue.toLowerCase();
          if (text.length !== node.nodeValue.length) continue;
          terms.forEach(function (term) {
            for (var at = text.indexOf(term); at >= 0 && term; at = text.indexOf(term, at + term.length)) {
              var r = new Range();
              r.setStart(node, at); r.setEnd(node, at + term.length);
              ranges.push(r);
            }
          });
        }
      });
    }
    CSS.highlights.set("qd-hit", new Highlight(...ranges));
  }

  function saveUrl() {
    var s = state();
    var params = new URLSearchParams(location.search);
    if (box.value.trim()) params.set("q", box.value.trim()); else params.delete("q");
    if (s.flags.length) params.set("f", s.flags.join(",")); else params.delete("f");
    Object.keys(DIMS).forEach(function (dim) {
      var chosen = s.problems[dim] || [];
      if (chosen.length) params.set(DIMS[dim], chosen.join(",")); else params.delete(DIMS[dim]);
    });
    var query = params.toString();
    try {
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    } catch (e) { /* some file:// setups refuse; the filter still works */ }
  }

  /* Following a link to a question that the filter hides clears the filter first. */
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target || !target.closest("main")) return;
    if (target.closest("[hidden]")) {
      box.value = "";
      flagButtons.concat(problemButtons).forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
      apply(); saveUrl();
    }
    target.scrollIntoView({ block: "start" });
  }

  /* Anchored cards scroll to just below the sticky bar, whatever its height on this screen. */
  function keepHeaderHeight() {
    var update = function () { root.style.setProperty("--qd-top", bar.offsetHeight + "px"); };
    if (window.ResizeObserver) new ResizeObserver(update).observe(bar);
    window.addEventListener("resize", update);
    update();
  }

  /* Expanding opens the answers and approaches; related-problem lists (dozens of titles each) stay. */
  function setAll(open) {
    document.querySelectorAll(open ? "main details:not(.qd-rel)" : "main details").forEach(function (d) {
      d.open = open; d.removeAttribute("data-qd-auto");
    });
  }

  function slashFocus(e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    e.preventDefault();
    box.focus();
    box.select();
  }

  function setupTheme() {
    var button = document.getElementById("qd-theme");
    var dark = window.matchMedia("(prefers-color-scheme: dark)");
    var effective = function () { return root.getAttribute("data-theme") || (dark.matches ? "dark" : "light"); };
    var show = function () {
      var isDark = effective() === "dark";
      button.setAttribute("aria-pressed", String(isDark));
      button.title = isDark ? {{js:to_light}} : {{js:to_dark}};
    };
    button.addEventListener("click", function () {
      var next = effective() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem(THEME_KEY, next); } catch (e) { /* not kept, still switched */ }
      show();
    });
    dark.addEventListener("change", show);
    show();
  }

  /* Print shows every folded part; browsers without ::details-content need them opened. */
  function printDetails(opening) {
    if (opening) {
      document.querySelectorAll("main details:not([open]):not(.qd-rel)").forEach(function (d) {
        d.open = true; d.setAttribute("data-qd-print", "");
      });
    } else {
      document.querySelectorAll("details[data-qd-print]").forEach(function (d) {
        d.open = false; d.removeAttribute("data-qd-print");
      });
    }
  }
})();
