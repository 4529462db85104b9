// corridors dashboard: progressive enhancement only; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Forms marked data-autosubmit reload the page when a selector changes (state stays in the URL).
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit")) {
      // Another edition has other years: let the server pick that edition's latest year.
      if (event.target.name === "edition" && form.elements.year) form.elements.year.disabled = true;
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });
  // Map readout: the country and figure under the pointer or keyboard focus, announced politely.
  function readout(target) {
    var shape = target && target.closest ? target.closest("use, path") : null;
    var figure = target && target.closest ? target.closest("figure.chart-map") : null;
    if (!shape || !figure) return;
    var out = figure.parentNode.querySelector(".map-readout");
    var title = shape.querySelector("title");
    if (out && title) out.textContent = title.textContent;
  }
  document.addEventListener("mouseover", function (event) { readout(event.target); });
  document.addEventListener("focusin", function (event) {
    var link = event.target;
    if (link.closest && link.closest("figure.chart-map")) readout(link.querySelector("use, path"));
  });

  // --- take-away: PNG, SVG and CSV of every chart, its link, its embed snippet ----------------
  var SVGNS = "http://www.w3.org/2000/svg";
  var outlines = {};  // world file address -> promise of {id: path data}

  function fetchOutlines(url) {
    if (!outlines[url]) {
      outlines[url] = fetch(url).then(function (r) { return r.text(); }).then(function (text) {
        var doc = new DOMParser().parseFromString(text, "image/svg+xml");
        var found = {};
        doc.querySelectorAll("path[id]").forEach(function (p) { found[p.id] = p.getAttribute("d"); });
        return found;
      });
    }
    return outlines[url];
  }

  function text(x, y, content, size, weight) {
    var t = document.createElementNS(SVGNS, "text");
    t.setAttribute("x", x); t.setAttribute("y", y); t.setAttribute("font-size", size);
    if (weight) t.setAttribute("font-weight", weight);
    t.textContent = content;
    return t;
  }

  // A standalone SVG of a figure: the chart with its outlines drawn in, its title, legend,
  // unit and source written on it (what a slide or a report needs), as a string.
  function standalone(figure) {
    var chart = figure.querySelector("svg[role]");
    var copy = chart.cloneNode(true);
    var box = chart.viewBox.baseVal;
    var uses = Array.prototype.slice.call(copy.querySelectorAll("use"));
    var urls = {};
    uses.forEach(function (u) { urls[(u.getAttribute("href") || "").split("#")[0]] = true; });
    return Promise.all(Object.keys(urls).map(fetchOutlines)).then(function (tables) {
      var paths = Object.assign.apply(null, [{}].concat(tables));
      uses.forEach(function (u) {
        var p = document.createElementNS(SVGNS, "path");
        Array.prototype.forEach.call(u.attributes, function (a) {
          if (a.name !== "href") p.setAttribute(a.name, a.value);
        });
        p.setAttribute("d", paths[(u.getAttribute("href") || "").split("#")[1]] || "");
        if (!p.getAttribute("stroke")) { p.setAttribute("stroke", "#ffffff"); p.setAttribute("stroke-width", "0.4"); }
        while (u.firstChild) p.appendChild(u.firstChild);
        u.parentNode.replaceChild(p, u);
      });
      var width = box.width, head = 34, row = 20;
      var legend = figure.querySelectorAll(".legend li");
      var perLine = Math.floor(width / 6.2);  // characters of 11 px text on one line
      var lines = [];
      [figure.querySelector(".chart-unit"), figure.querySelector(".chart-source"),
       figure.querySelector(".chart-note")].filter(Boolean).forEach(function (node) {
        var line = "";
        node.textContent.trim().split(/\s+/).forEach(function (word) {
          if (line && (line + " " + word).length > perLine) { lines.push(line); line = word; }
          else line = line ? line + " " + word : word;
        });
        if (line) lines.push(line);
      });
      var foot = (legend.length ? row * Math.ceil(legend.length / 3) : 0) + row * lines.length + 12;
      var out = document.createElementNS(SVGNS, "svg");
      out.setAttribute("xmlns", SVGNS);
      out.setAttribute("viewBox", "0 0 " + width + " " + (box.height + head + foot));
      out.setAttribute("width", width); out.setAttribute("height", box.height + head + foot);
      out.setAttribute("font-family", chart.getAttribute("font-family") || "sans-serif");
      out.setAttribute("fill", "#1a1a1a");
      var background = document.createElementNS(SVGNS, "rect");
      background.setAttribute("width", "100%"); background.setAttribute("height", "100%");
      background.setAttribute("fill", "#ffffff");
      out.appendChild(background);
      out.appendChild(text(4, 22, figure.querySelector(".chart-title").textContent, 16, "700"));
      copy.setAttribute("y", head); copy.setAttribute("width", width); copy.setAttribute("height", box.height);
      out.appendChild(copy);
      var y = head + box.height + 6;
      Array.prototype.forEach.call(legend, function (li, i) {
        var x = 4 + (i % 3) * (width / 3), yy = y + Math.floor(i / 3) * row;
        var swatch = li.querySelector("svg");
        if (swatch) {
          var s = swatch.cloneNode(true);
          s.setAttribute("x", x); s.setAttribute("y", yy + 3);
          out.appendChild(s);
        }
        out.appendChild(text(x + 20, yy + 14, li.textContent.trim(), 12));
      });
      y += legend.length ? row * Math.ceil(legend.length / 3) : 0;
      lines.forEach(function (line, i) {
        var t = text(4, y + 14 + i * row, line, 11);
        t.setAttribute("fill", "#4d4d4d");
        out.appendChild(t);
      });
      return { svg: new XMLSerializer().serializeToString(out), width: width,
               height: box.height + head + foot };
    });
  }

  function save(blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function csv(figure) {
    var quote = function (v) { return /[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; };
    var rows = [];
    figure.querySelectorAll(".chart-data tr").forEach(function (tr) {
      rows.push(Array.prototype.map.call(tr.children, function (cell) {
        var raw = cell.getAttribute("data-value");
        return quote(raw !== null ? raw : cell.textContent.trim());
      }).join(","));
    });
    return rows.join("\r\n") + "\r\n";
  }

  function png(result, name) {
    var image = new Image();
    var scale = 2;
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = result.width * scale; canvas.height = result.height * scale;
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff"; context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) { save(blob, name); }, "image/png");
    };
    image.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(result.svg)));
  }

  function absolute(link) { return new URL(link, location.href).href; }

  function act(button) {
    var figure = button.closest("figure.chart");
    var tools = button.closest(".chart-tools");
    var status = tools.querySelector(".chart-status");
    var name = figure.getAttribute("data-file") || "chart";
    var action = button.getAttribute("data-action");
    if (action === "csv") {
      save(new Blob([csv(figure)], { type: "text/csv;charset=utf-8" }), name + ".csv");
    } else if (action === "svg") {
      standalone(figure).then(function (r) {
        save(new Blob([r.svg], { type: "image/svg+xml" }), name + ".svg");
      });
    } else if (action === "png") {
      standalone(figure).then(function (r) { png(r, name + ".png"); });
    } else if (action === "copy") {
      var link = absolute(tools.getAttribute("data-link"));
      var done = function () { status.textContent = tools.getAttribute("data-copied"); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(link).then(done, function () { prompt("", link); });
      } else {
        prompt("", link);
      }
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".chart-tools button[data-action]") : null;
    if (button) act(button);
  });
  document.querySelectorAll(".chart-tools").forEach(function (tools) {
    tools.querySelectorAll("button[data-action]").forEach(function (b) { b.hidden = false; });
    var area = tools.querySelector(".chart-embed textarea");
    if (area) area.value = area.value.replace('src="/embed', 'src="' + location.origin + "/embed");
  });
})();
