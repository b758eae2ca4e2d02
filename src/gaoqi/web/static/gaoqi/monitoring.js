// 监测预警 charts: the trend over snapshots and the open warnings by severity; data from a
// <script type="application/json"> block (no inline scripts: the CSP).
(function () {
  function draw() {
    var el = document.getElementById("monitoring-chart-data");
    var trend = document.getElementById("monitoring-trend-chart");
    var sev = document.getElementById("monitoring-severity-chart");
    if (!el || !window.echarts) return;
    var d = JSON.parse(el.textContent);
    var still = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
    var charts = [];
    if (trend) {
      var t = window.echarts.getInstanceByDom(trend) || window.echarts.init(trend);
      t.setOption({
        animation: !still, title: { text: "预警趋势（按快照）", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" }, legend: { top: 30 }, grid: { top: 70, bottom: 80 },
        xAxis: { type: "category", data: d.labels, axisLabel: { rotate: 30 } }, yAxis: { type: "value" },
        series: d.series.map(function (x) { return { name: x.name, type: "line", data: x.data }; })
      });
      charts.push(t);
    }
    if (sev) {
      var s = window.echarts.getInstanceByDom(sev) || window.echarts.init(sev);
      s.setOption({
        animation: !still, title: { text: "未处置预警（按等级）", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" }, grid: { top: 50, bottom: 40 },
        xAxis: { type: "category", data: d.severity.labels }, yAxis: { type: "value" },
        series: [{ name: "未处置", type: "bar", data: d.severity.data }]
      });
      charts.push(s);
    }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
