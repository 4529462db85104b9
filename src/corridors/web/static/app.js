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
  function readout(event) {
    var path = event.target.closest ? event.target.closest("path") : null;
    var figure = event.target.closest ? event.target.closest("figure.chart-map") : null;
    if (!path || !figure) return;
    var out = figure.parentNode.querySelector(".map-readout");
    var title = path.querySelector("title");
    if (out && title) out.textContent = title.textContent;
  }
  document.addEventListener("mouseover", readout);
  document.addEventListener("focusin", function (event) {
    var link = event.target;
    if (link.closest && link.closest("figure.chart-map")) {
      var path = link.querySelector("path");
      if (path) readout({ target: path });
    }
  });
})();
