// Draws every element with a data-chart attribute from the figure specifications the page embeds (#charts).
(function () {
  var specs = JSON.parse(document.getElementById("charts").textContent);
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var figure = specs[element.dataset.chart];
    if (!figure) { return; }
    Plotly.newPlot(element, figure.data, figure.layout, {displaylogo: false, responsive: true}).then(function () {
      element.dataset.rendered = "true";
    });
  });
})();
