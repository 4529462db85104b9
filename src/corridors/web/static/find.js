// corridors dashboard: suggestions for the country box, from this server's list of every name
// people write for each country (/country-names.json). Without this file the box still works:
// the server matches names, accents and typos, and offers the closest names.
(function () {
  "use strict";
  var loaded = false;
  function fill() {
    if (loaded) return;
    loaded = true;
    var list = document.getElementById("jump-list");
    if (!list || !window.fetch) return;
    fetch("/country-names.json").then(function (r) { return r.ok ? r.json() : { names: [] }; })
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
    });
  });
})();
