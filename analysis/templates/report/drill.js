(function () {
  "use strict";
  // The report's own script: drill-down panels and the article browser. It reads the
  // JSON block #report-data and builds everything with textContent: no markup from data.
  var source = document.getElementById("report-data");
  if (!source) { return; }
  var data;
  try { data = JSON.parse(source.textContent); } catch (e) { return; }
  var fields = data.articles.fields, rows = data.articles.rows, F = {};
  fields.forEach(function (f, i) { F[f] = i; });
  var SEP = "\u241f", SHOWN = 200, LABEL = 80;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function clip(text, chars) {
    text = String(text);
    return text.length > chars ? text.slice(0, chars - 1) + "\u2026" : text;
  }
  function webLink(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url);
  }
  function articleItem(row) {
    var li = el("li", "drill-article");
    var title = row[F.title] || "(no title)";
    var head;
    if (webLink(row[F.url])) {
      head = el("a", "drill-title", title);
      head.href = row[F.url];
      head.target = "_blank";
      head.rel = "noopener noreferrer";
    } else {
      head = el("span", "drill-title", title);
    }
    li.appendChild(head);
    var meta = [row[F.outlet] || "", row[F.date] || "undated"];
    if (row[F.tone] !== null && row[F.tone] !== undefined) { meta.push("tone " + Number(row[F.tone]).toFixed(2)); }
    li.appendChild(el("div", "drill-meta", meta.join(" \u00b7 ")));
    if (row[F.kwic]) { li.appendChild(el("div", "drill-kwic", row[F.kwic])); }
    return li;
  }

  // One panel for the whole page, opened by a row or a button.
  var panel = el("aside", "drill-panel");
  panel.id = "drill-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "Articles");
  panel.hidden = true;
  var close = el("button", "drill-close", "Close");
  close.type = "button";
  var heading = el("h2", "drill-heading"), count = el("p", "drill-count"), list = el("ol", "drill-list");
  panel.appendChild(close); panel.appendChild(heading); panel.appendChild(count); panel.appendChild(list);
  document.body.appendChild(panel);
  var opener = null;
  function hide() { panel.hidden = true; if (opener) { opener.focus(); } }
  close.addEventListener("click", hide);
  document.addEventListener("keydown", function (event) { if (event.key === "Escape" && !panel.hidden) { hide(); } });

  function open(section, cell, from) {
    opener = from;
    heading.textContent = section.title + ": " + cell[0].map(function (k) { return clip(k, LABEL); }).join(", ");
    list.textContent = "";
    cell[2].forEach(function (i) { list.appendChild(articleItem(rows[i])); });
    var said = cell[1].toLocaleString("en") + (cell[1] === 1 ? " article" : " articles");
    if (cell[2].length < cell[1]) {
      said += "; " + cell[2].length.toLocaleString("en") + " listed here (" +
        (data.note ? "the page embeds a sample of the articles" : "the page embeds at most " + data.cell_cap + " a row") +
        "); drilldown/" + section.name + ".csv beside this page lists them all";
    }
    count.textContent = said;
    panel.hidden = false;
    close.focus();
  }
  function clickable(node, section, cell) {
    node.classList.add("drill-open");
    node.tabIndex = 0;
    node.setAttribute("role", "button");
    node.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("a")) { return; }
      open(section, cell, node);
    });
    node.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); open(section, cell, node); }
    });
  }
  function text(node) { return (node.textContent || "").replace(/\s+/g, " ").trim(); }

  function wireTable(table, section) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), text);
    var columns = section.keys.map(function (k) { return heads.indexOf(k); });
    if (columns.indexOf(-1) >= 0) { return false; }
    var byKey = {};
    section.cells.forEach(function (cell) { byKey[cell[0].join(SEP)] = cell; });
    var wired = 0;
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (tr) {
      var cells = tr.children;
      var key = columns.map(function (c) { return cells[c] ? text(cells[c]) : ""; }).join(SEP);
      if (byKey[key]) { clickable(tr, section, byKey[key]); wired += 1; }
    });
    return wired > 0;
  }
  function buttons(host, section) {
    var box = el("div", "drill-buttons");
    box.appendChild(el("p", "drill-hint", "Articles behind the chart (click to list them):"));
    var groups = {}, order = [];
    section.cells.forEach(function (cell) {
      var group = cell[0].length > 1 ? cell[0][0] : "";
      if (!(group in groups)) { groups[group] = el("div", "drill-group"); order.push(group); }
      var label = (cell[0].length > 1 ? cell[0].slice(1) : cell[0]).join(", ");
      var button = el("button", "drill-button", clip(label, LABEL) + " (" + cell[1].toLocaleString("en") + ")");
      button.type = "button";
      button.addEventListener("click", function () { open(section, cell, button); });
      groups[group].appendChild(button);
    });
    order.forEach(function (group) {
      if (group) { groups[group].insertBefore(el("span", "drill-group-name", clip(group, LABEL)), groups[group].firstChild); }
      box.appendChild(groups[group]);
    });
    host.appendChild(box);
  }

  Array.prototype.forEach.call(document.querySelectorAll("div.report-drill[id^='drill-']"), function (marker) {
    var section = data.sections[marker.id.slice(6)];
    if (!section) { return; }
    var cell = marker.closest(".jp-Cell") || marker.parentNode;
    var table = cell.querySelector("table.report-table");
    if (!(table && wireTable(table, section))) { buttons(cell, section); }
  });

  // The article browser: search, outlet and period filters, sortable columns.
  var host = document.getElementById("report-browser");
  if (!host) { return; }
  host.textContent = "";
  var controls = el("div", "browser-controls");
  var search = el("input", "browser-search");
  search.type = "search";
  search.placeholder = "Search titles, outlets and contexts";
  search.setAttribute("aria-label", "Search the articles");
  function choice(label, values) {
    var select = el("select", "browser-filter");
    select.setAttribute("aria-label", label);
    select.appendChild(el("option", "", "Every " + label));
    select.options[0].value = "";
    values.forEach(function (v) { var o = el("option", "", v); o.value = v; select.appendChild(o); });
    return select;
  }
  function distinct(get) {
    var seen = {};
    rows.forEach(function (r) { var v = get(r); if (v) { seen[v] = true; } });
    return Object.keys(seen).sort();
  }
  var outlet = choice("outlet", distinct(function (r) { return r[F.outlet]; }));
  var period = choice("month", distinct(function (r) { return r[F.date] ? r[F.date].slice(0, 7) : ""; }));
  controls.appendChild(search); controls.appendChild(outlet); controls.appendChild(period);
  host.appendChild(controls);
  var status = el("p", "browser-status");
  host.appendChild(status);
  if (data.note) { host.appendChild(el("p", "browser-note", data.note)); }
  var table = el("table", "report-table browser-table");
  var head = el("thead"), headRow = el("tr"), body = el("tbody");
  var columns = [["title", "Title"], ["outlet", "Outlet"], ["date", "Date"], ["tone", "Tone"]];
  var sortBy = "date", descending = true;
  columns.forEach(function (c) {
    var th = el("th");
    th.scope = "col";
    var b = el("button", "browser-sort", c[1]);
    b.type = "button";
    b.dataset.column = c[0];
    b.addEventListener("click", function () {
      if (sortBy === c[0]) { descending = !descending; } else { sortBy = c[0]; descending = c[0] === "date"; }
      draw();
    });
    th.appendChild(b);
    headRow.appendChild(th);
  });
  head.appendChild(headRow); table.appendChild(head); table.appendChild(body); host.appendChild(table);

  function draw() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var found = rows.filter(function (r) {
      if (outlet.value && r[F.outlet] !== outlet.value) { return false; }
      if (period.value && !(r[F.date] && r[F.date].slice(0, 7) === period.value)) { return false; }
      var hay = [r[F.title], r[F.outlet], r[F.kwic]].join(" ").toLowerCase();
      return words.every(function (w) { return hay.indexOf(w) >= 0; });
    });
    var i = F[sortBy];
    found.sort(function (a, b) {
      var x = a[i], y = b[i];
      if (x === y) { return 0; }
      if (x === null || x === undefined) { return 1; }
      if (y === null || y === undefined) { return -1; }
      var order = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
      return descending ? -order : order;
    });
    body.textContent = "";
    found.slice(0, SHOWN).forEach(function (r) {
      var tr = el("tr", "browser-row");
      var cell = el("td", "browser-title");
      var item = articleItem(r);
      cell.appendChild(item.firstChild);
      if (r[F.kwic]) { cell.appendChild(el("div", "drill-kwic", r[F.kwic])); }
      tr.appendChild(cell);
      tr.appendChild(el("td", "", r[F.outlet] || ""));
      tr.appendChild(el("td", "", r[F.date] || ""));
      tr.appendChild(el("td", "num", r[F.tone] === null || r[F.tone] === undefined ? "" : Number(r[F.tone]).toFixed(2)));
      body.appendChild(tr);
    });
    status.textContent = found.length.toLocaleString("en") + " of " + rows.length.toLocaleString("en") +
      " articles" + (found.length > SHOWN ? "; the first " + SHOWN + " shown" : "");
  }
  search.addEventListener("input", draw);
  outlet.addEventListener("change", draw);
  period.addEventListener("change", draw);
  draw();
}());
