// 诉求三率 chart: its data comes from a <script type="application/json"> block (no inline scripts: the CSP).
(function () {
  function draw() {
    var el = document.getElementById("servicedesk-stats-data");
    var holder = document.getElementById("servicedesk-stats-chart");
    if (!el || !holder || !window.echarts) return;
    var d = JSON.parse(el.textContent);
    var still = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
    var c = window.echarts.getInstanceByDom(holder) || window.echarts.init(holder);
    c.setOption({
      animation: !still,
      title: { text: "响应率、解决率、满意率（%）", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" },
      legend: { top: 30 }, grid: { top: 70, bottom: 80 },
      xAxis: { type: "category", data: d.labels, axisLabel: { rotate: 30 } }, yAxis: { type: "value", max: 100 },
      series: d.series.map(function (x) { return { name: x.name, type: "bar", data: x.data }; })
    });
    window.addEventListener("resize", function () { c.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
