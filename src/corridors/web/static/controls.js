// corridors dashboard: the page controls and the country box; progressive enhancement only.
// - the country box suggests every name people write for each country (/country-names.json);
//   without this file the box still works: the server matches names, accents and typos, and
//   offers the closest names;
// - controls change nothing until their button is pressed; picking another edition leaves the
//   year out of the request, so the server picks that edition's latest year;
// - Back and Forward show the selections the URL holds (no stale selects).
(function () {
  "use strict";
  var loaded = false;
  function fill() {
    if (loaded) return;
    loaded = true;
    var list = document.getElementById("jump-list");
    if (!list || !window.fetch) return;
    var lang = document.documentElement.lang;
    fetch("/country-names.json" + (lang && lang !== "en" ? "?lang=" + lang : "")).then(function (r) { return r.ok ? r.json() : { names: [] }; })
      .then(function (data) {
        var fragment = document.createDocumentFragment();
        data.names.forEach(function (pair) {
          var option = document.createElement("option");
          option.value = pair[0];
          option.label = pair[1];
          fragment.appendChild(option);
        });
        list.appendChild(fragment);
      }).catch(function () { loaded = false; });
  }
  document.addEventListener("focusin", function (event) {
    if (event.target.getAttribute && event.target.getAttribute("list") === "jump-list") fill();
  });
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.classList.contains("controls") && event.target.name === "edition" &&
        form.elements.year && form.elements.year.tagName === "SELECT") {
      form.elements.year.disabled = true;
    }
  });
  // Back/forward from the page cache: show the selections the URL holds, not stale ones.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    var params = new URLSearchParams(window.location.search);
    document.querySelectorAll("form.controls select").forEach(function (select) {
      var wanted = params.get(select.name);
      var chosen = Array.prototype.find.call(select.options, function (o) {
        return wanted !== null ? o.value === wanted : o.defaultSelected;
      });
      if (chosen) select.value = chosen.value;
      select.disabled = false;
    });
  });
})();
