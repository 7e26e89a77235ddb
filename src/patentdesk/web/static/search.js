/* patentdesk search pages: progressive enhancement only. Without this file every form still works:
   the builder posts to /search/build, which composes the same query on the server
   (patentdesk/web/searchform.py holds the rules this file follows). */
(function () {
  "use strict";

  var MAX_ROWS = 12;
  var BARE = /^[\w*?#.\/+-]+$/;
  var RESERVED = /^(and|or|not|all|any|within|prox.*|(w|near|pre|adj)\/.*)$/i;
  var DATE = /^\d{4}(-?\d{2}(-?\d{2})?)?$/;

  function byId(id) { return document.getElementById(id); }

  // ------------------------------------------------------------------ search form
  // Empty options (automatic mode, no cut-off) stay out of the address: /search?q=battery
  var searchForm = byId("search-form");
  if (searchForm) {
    searchForm.addEventListener("submit", function () {
      ["mode", "published_before", "priority_before"].forEach(function (name) {
        var el = searchForm.elements.namedItem(name);
        if (el && !el.value) { el.disabled = true; }
      });
      // a page restored from the back-forward cache gets its controls back
      window.setTimeout(function () {
        Array.prototype.forEach.call(searchForm.elements, function (el) { el.disabled = false; });
      }, 0);
    });
  }

  // ------------------------------------------------------------------ query builder
  function words(terms, splitCommas) {
    var text = terms.replace(/["\u201c\u201d]/g, " ");
    if (splitCommas) { text = text.replace(/[,;]/g, " "); }
    return text.split(/\s+/).filter(function (w) { return w.length > 0; });
  }

  function value(word) {
    return BARE.test(word) && !RESERVED.test(word) ? word : "\"" + word + "\"";
  }

  function clause(field, kind, terms, match) {
    if (!kind || kind === "date" || kind === "integer") { return null; }
    var textual = kind === "text" || kind === "name";
    var ws = words(terms, !textual);
    if (ws.length === 0) { return null; }
    if (ws.length === 1) { return field + "=" + value(ws[0]); }
    if (textual && match === "phrase") { return field + "=\"" + ws.join(" ") + "\""; }
    var rel = textual && match !== "any" ? "all" : "any";
    return field + " " + rel + " \"" + ws.join(" ") + "\"";
  }

  function dateClause(field, start, end) {
    start = start.trim();
    end = end.trim();
    if ((start && !DATE.test(start)) || (end && !DATE.test(end))) { return { error: true }; }
    if (start && end) { return { text: field + " within \"" + start + "," + end + "\"" }; }
    if (start) { return { text: field + ">=" + start }; }
    if (end) { return { text: field + "<=" + end }; }
    return { text: "" };
  }

  var builder = byId("builder-form");
  var rowsList = byId("builder-rows");

  function compose() {
    var query = "";
    Array.prototype.forEach.call(rowsList.querySelectorAll(".builder-row"), function (row) {
      var field = row.querySelector(".b-field");
      var option = field.options[field.selectedIndex];
      var op = row.querySelector(".b-op");
      var c = clause(field.value, option ? option.getAttribute("data-kind") : null,
                     row.querySelector(".b-terms").value, row.querySelector(".b-match").value);
      if (c === null) { return; }
      var o = op ? op.value : "and";
      if (!query) { query = o === "not" ? "not " + c : c; } else { query = query + " " + o + " " + c; }
    });
    var d = dateClause(byId("b-date-field").value, byId("b-from").value, byId("b-to").value);
    if (d.error) { return { error: true, text: query }; }
    if (d.text) { query = query ? query + " and " + d.text : d.text; }
    return { error: false, text: query };
  }

  function syncRow(row) {
    var field = row.querySelector(".b-field");
    var option = field.options[field.selectedIndex];
    var kind = option ? option.getAttribute("data-kind") : "text";
    var match = row.querySelector(".b-match");
    var textual = kind === "text" || kind === "name";
    match.hidden = !textual;  // a code or number list always matches any of its values
    match.disabled = !textual;
  }

  function refresh() {
    var result = compose();
    var wrap = byId("builder-preview-wrap");
    var out = byId("builder-preview");
    wrap.hidden = false;
    out.textContent = result.text;
    byId("b-from").setAttribute("aria-invalid", result.error ? "true" : "false");
    byId("b-to").setAttribute("aria-invalid", result.error ? "true" : "false");
    return result;
  }

  function renumber(row, n) {
    row.setAttribute("data-row", String(n));
    Array.prototype.forEach.call(row.querySelectorAll("[id]"), function (el) {
      el.id = el.id.replace(/\d+$/, String(n));
      if (el.name) { el.name = el.name.replace(/\d+$/, String(n)); }
    });
    Array.prototype.forEach.call(row.querySelectorAll("label[for]"), function (label) {
      label.htmlFor = label.htmlFor.replace(/\d+$/, String(n));
      label.textContent = label.textContent.replace(/\d+/, String(n));
    });
  }

  function addRow() {
    var rows = rowsList.querySelectorAll(".builder-row");
    if (rows.length >= MAX_ROWS) { return null; }
    var last = rows[rows.length - 1];
    var row = last.cloneNode(true);
    renumber(row, rows.length + 1);
    row.querySelector(".b-terms").value = "";
    rowsList.appendChild(row);
    syncRow(row);
    if (rows.length + 1 >= MAX_ROWS) { byId("builder-add").hidden = true; }
    return row;
  }

  if (builder && rowsList) {
    var add = byId("builder-add");
    var use = byId("builder-use");
    add.hidden = false;
    use.hidden = false;
    Array.prototype.forEach.call(rowsList.querySelectorAll(".builder-row"), syncRow);
    builder.addEventListener("input", refresh);
    builder.addEventListener("change", function (event) {
      var row = event.target.closest ? event.target.closest(".builder-row") : null;
      if (row) { syncRow(row); }
      refresh();
    });
    add.addEventListener("click", function () {
      var row = addRow();
      if (row) { row.querySelector(".b-field").focus(); refresh(); }
    });
    use.addEventListener("click", function () {
      var result = refresh();
      var box = byId("q");
      if (result.error || !result.text || !box) { return; }
      box.value = result.text;
      box.focus();
    });
    // with a search form on the page, its mode and cut-offs go along with the built query
    builder.addEventListener("submit", function (event) {
      var result = refresh();
      var box = byId("q");
      if (result.error || !result.text || !box || !searchForm) { return; }  // the server says what is wrong
      event.preventDefault();
      box.value = result.text;
      if (searchForm.requestSubmit) { searchForm.requestSubmit(); } else { searchForm.submit(); }
    });
    refresh();
  }

  // ------------------------------------------------------------------ selection and export
  var exportForm = byId("export-form");
  if (exportForm) {
    var picks = Array.prototype.slice.call(document.querySelectorAll("input.pick"));
    var all = byId("select-all");
    var button = byId("export-selected");
    var count = byId("selected-count");
    var hint = count.textContent;
    var one = count.getAttribute("data-one") || "%(num)s";
    var other = count.getAttribute("data-other") || "%(num)s";

    var update = function () {
      var n = picks.filter(function (p) { return p.checked; }).length;
      button.disabled = n === 0;
      count.textContent = n === 0 ? hint : (n === 1 ? one : other).replace("%(num)s", String(n));
      if (all) {
        all.checked = n > 0 && n === picks.length;
        all.indeterminate = n > 0 && n < picks.length;
      }
    };
    picks.forEach(function (p) { p.addEventListener("change", update); });
    if (all) {
      byId("select-all-wrap").hidden = false;
      all.addEventListener("change", function () {
        picks.forEach(function (p) { p.checked = all.checked; });
        update();
      });
    }
    update();
  }
})();
