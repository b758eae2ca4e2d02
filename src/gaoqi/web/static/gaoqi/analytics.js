// 企业画像分析: one bar chart per distribution and the trend line, from the page's JSON block (the CSP forbids
// inline scripts).
(function () {
  function draw() {
    var el = document.getElementById("analytics-data");
    if (!el || !window.echarts) return;
    var d = JSON.parse(el.textContent);
    var still = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
    var charts = [];
    function chart(id, option) {
      var box = document.getElementById(id);
      if (!box) return;
      option.animation = !still;
      var c = window.echarts.getInstanceByDom(box) || window.echarts.init(box);
      c.setOption(option);
      charts.push(c);
    }
    d.distributions.forEach(function (x, i) {
      chart("analytics-chart-" + i, {
        title: { text: x.title, textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" },
        grid: { top: 50, bottom: 70 },
        xAxis: { type: "category", data: x.labels, axisLabel: { rotate: 35, interval: 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: "企业数", type: "bar", data: x.values }]
      });
    });
    chart("analytics-trend-chart", {
      title: { text: "各期快照企业数", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" },
      grid: { top: 50, bottom: 50 },
      xAxis: { type: "category", data: d.trend.labels }, yAxis: { type: "value", minInterval: 1 },
      series: [{ name: "企业数", type: "line", data: d.trend.values }]
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
