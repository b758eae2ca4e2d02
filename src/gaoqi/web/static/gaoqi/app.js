// Charts read their data from <script type="application/json"> blocks (no inline scripts: the CSP forbids them).
(function () {
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  // no animation for users who ask for less motion (and for the browser tests' screenshots)
  var still = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  var charts = [];
  // a chart inside a fragment htmx swaps is named by data-chart, not id: htmx's settle step would copy the old
  // container's style attribute (ECharts') onto the new one, which the CSP refuses
  function chart(id, option) {
    var el = document.getElementById(id) || document.querySelector('[data-chart="' + id + '"]');
    if (!el || !window.echarts) return;
    option.animation = !still;
    var c = window.echarts.getInstanceByDom(el) || window.echarts.init(el);
    c.setOption(option);
    if (charts.indexOf(c) < 0) charts.push(c);
  }
  function draw() {
    var d = data("dashboard-data");
    if (d) {
      chart("district-chart", {
        title: { text: "各区企业与有效高企", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" }, legend: { top: 30, data: ["企业", "有效高企"] },
        grid: { top: 70, bottom: 60 },
        xAxis: { type: "category", data: d.districts, axisLabel: { rotate: 40 } }, yAxis: { type: "value" },
        series: [{ name: "企业", type: "bar", data: d.enterprises }, { name: "有效高企", type: "bar", data: d.hte }]
      });
      chart("field-chart", {
        title: { text: "高企技术领域", textStyle: { fontSize: 14 } }, tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["35%", "65%"], top: 30, data: d.fields }]
      });
    }
    var s = data("simulate-data");
    if (s) {
      chart("simulate-chart", {
        title: { text: "各区状态变化", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" },
        legend: { top: 30 }, grid: { top: 70, bottom: 60 },
        xAxis: { type: "category", data: s.categories, axisLabel: { rotate: 40 } }, yAxis: { type: "value" },
        series: s.series.map(function (x) { return { name: x.name, type: "bar", stack: "flip", data: x.data }; })
      });
    }
    var o = data("overdue-data");
    if (o) {
      chart("overdue-district-chart", {
        title: { text: "各区超时申请（按阶段）", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" },
        legend: { top: 30 }, grid: { top: 70, bottom: 60 },
        xAxis: { type: "category", data: o.districts, axisLabel: { rotate: 40 } }, yAxis: { type: "value", minInterval: 1 },
        series: o.by_district.map(function (x) { return { name: x.name, type: "bar", stack: "stage", data: x.data }; })
      });
      chart("overdue-stage-chart", {
        title: { text: "各阶段超时与即将到期", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" },
        legend: { top: 30 }, grid: { top: 70, bottom: 60 },
        xAxis: { type: "category", data: o.stages, axisLabel: { rotate: 20 } }, yAxis: { type: "value", minInterval: 1 },
        series: o.by_stage.map(function (x) { return { name: x.name, type: "bar", data: x.data }; })
      });
    }
    var l = data("list-data");
    if (l) {
      var over = function (id, title, groups) {
        chart(id, {
          title: { text: title, textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" },
          legend: { top: 30, type: "scroll" }, grid: { top: 70, bottom: 40 },
          xAxis: { type: "category", data: l.snapshots }, yAxis: { type: "value", minInterval: 1 },
          series: groups.map(function (x) { return { name: x.name, type: "line", data: x.data }; })
        });
      };
      over("list-district-chart", "各区名单企业数", l.by_district);
      over("list-field-chart", "各技术领域名单企业数", l.by_field);
    }
    // in a fragment htmx swaps, a chart's data rides on an attribute (htmx drops <script> blocks it inserts)
    var holder = document.querySelector("[data-funnel]");
    var fn = holder ? JSON.parse(holder.getAttribute("data-funnel")) : null;
    if (fn) {
      chart("funnel-chart", {
        title: { text: "纳入 → 申请 → 认定", textStyle: { fontSize: 14 } }, tooltip: { trigger: "item" },
        series: [{ type: "funnel", top: 40, bottom: 10, sort: "none", minSize: "10%",
                   label: { formatter: "{b}：{c}" }, data: fn.stages }]
      });
      chart("funnel-district-chart", {
        title: { text: "各区认定率（%）", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" },
        legend: { top: 30 }, grid: { top: 70, bottom: 60 },
        xAxis: { type: "category", data: fn.districts, axisLabel: { rotate: 40 } }, yAxis: { type: "value", max: 100 },
        series: fn.rates.map(function (x) { return { name: x.name, type: "bar", data: x.data }; })
      });
    }
    var f = data("finance-data");
    if (f && f.length) {
      chart("finance-chart", {
        title: { text: "销售收入与资产（万元）", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" },
        legend: { top: 30 }, grid: { top: 70 },
        xAxis: { type: "category", data: f.map(function (x) { return String(x.year); }) }, yAxis: { type: "value" },
        series: [
          { name: "销售收入", type: "bar", data: f.map(function (x) { return x.sales === null ? null : Number(x.sales); }) },
          { name: "资产总额", type: "line", data: f.map(function (x) { return x.assets === null ? null : Number(x.assets); }) }
        ]
      });
    }
  }
  function drawEvaluation() {
    var ev = data("evaluation-data");
    if (ev && ev.areas.length) {
      chart("evaluation-chart", {
        title: { text: "综合得分", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" }, grid: { top: 40, bottom: 70 },
        xAxis: { type: "category", data: ev.areas, axisLabel: { rotate: 40 } }, yAxis: { type: "value", max: 100 },
        series: [{ name: "综合得分", type: "bar", data: ev.composite }]
      });
    }
    var ea = data("evaluation-area-data");
    if (ea) {
      chart("evaluation-area-chart", {
        title: { text: "各指标得分（无数据不显示）", textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" },
        grid: { top: 40, bottom: 90 }, xAxis: { type: "category", data: ea.indicators, axisLabel: { rotate: 40 } },
        yAxis: { type: "value", max: 100 }, series: [{ name: "得分", type: "bar", data: ea.scores }]
      });
    }
  }
  document.addEventListener("DOMContentLoaded", drawEvaluation);
  document.addEventListener("DOMContentLoaded", draw);
  // a fragment swapped in by htmx may bring its own chart data (the funnel's filter): draw it
  document.addEventListener("htmx:afterSettle", function () {
    charts = charts.filter(function (c) { return !c.isDisposed() && document.body.contains(c.getDom()); });
    draw();
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
