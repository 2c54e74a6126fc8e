// Vega-Lite specs for the home page charts; the data comes from the build's summary tables,
// embedded in the page as JSON. Vega, Vega-Lite and vega-embed are served by the pinned
// datasette-dashboards package (no CDN).
document.addEventListener("DOMContentLoaded", () => {
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  // Dark axes and labels on the page's own background when the reader's system is dark.
  const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
  const options = { actions: false, renderer: "svg" };
  if (dark) Object.assign(options, { theme: "dark", config: { background: null } });
  const schema = "https://vega.github.io/schema/vega-lite/v5.json";
  vegaEmbed("#chart-months", {
    $schema: schema,
    width: "container",
    height: 180,
    data: { values: read("months-data") },
    mark: { type: "bar", tooltip: true, color: "#1d9bf0" },
    encoding: {
      x: { field: "month", type: "temporal", timeUnit: "yearmonth", title: null },
      y: { field: "tweets", type: "quantitative", title: null },
    },
  }, options);
  vegaEmbed("#chart-hours", {
    $schema: schema,
    width: "container",
    height: 180,
    data: { values: read("hours-data") },
    mark: { type: "rect", tooltip: true },
    encoding: {
      x: {
        field: "hour", type: "ordinal", title: "hour (UTC)",
        scale: { domain: Array.from({ length: 24 }, (_, hour) => hour) },
      },
      y: {
        field: "day", type: "ordinal", title: null,
        sort: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
      },
      color: { field: "tweets", type: "quantitative", scale: { scheme: "blues" }, legend: null },
    },
  }, options);
});
