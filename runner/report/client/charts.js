// Draws every chart of a report page from the JSON block #report-data with Chart.js (inlined
// before this script). Chart configs are built in Node (runner/report/charts.ts); this script only
// adds what JSON cannot carry: tick labels of the percentile axis, a threshold line, tooltips, links.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);

  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
  Chart.defaults.color = '#222';

  function fmt(v) {
    if (v === null || v === undefined || isNaN(v)) return '–';
    var a = Math.abs(v);
    return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
  }

  // x = 1 / (1 - q): 1 -> 0%, 10 -> 90%, 100 -> 99%, 1000 -> 99.9%.
  function percentileLabel(x) {
    var p = 100 * (1 - 1 / x);
    if (p <= 0) return '0%';
    var digits = Math.min(6, Math.max(0, Math.ceil(Math.log10(x) - 1e-9) - 2));
    var text = p.toFixed(digits);
    return (text.indexOf('.') === -1 ? text : text.replace(/\.?0+$/, '')) + '%';
  }

  // A horizontal line at a y value, with a label: options.plugins.threshold = { value, label }.
  var thresholdPlugin = {
    id: 'threshold',
    afterDatasetsDraw: function (chart, _args, opts) {
      if (!opts || typeof opts.value !== 'number') return;
      var y = chart.scales.y;
      var area = chart.chartArea;
      var py = y.getPixelForValue(opts.value);
      if (py < area.top || py > area.bottom) return;
      var ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = '#C62828';
      ctx.lineWidth = 2;
      ctx.setLineDash([8, 5]);
      ctx.beginPath();
      ctx.moveTo(area.left, py);
      ctx.lineTo(area.right, py);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#C62828';
      ctx.font = 'bold 12px ' + Chart.defaults.font.family;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      ctx.fillText(opts.label || '', area.right - 4, py - 3);
      ctx.restore();
    },
  };
  Chart.register(thresholdPlugin);

  function configFor(spec) {
    var b = spec.behaviours || {};
    var options = spec.options;
    var plugins = options.plugins;
    var unit = b.unit || '';
    var tooltip = (plugins.tooltip = plugins.tooltip || {});
    var callbacks = (tooltip.callbacks = tooltip.callbacks || {});
    callbacks.label = function (ctx) {
      var v = ctx.parsed.y;
      var name = ctx.dataset.label || '';
      if (b.percentileAxis) return name + ': p' + percentileLabel(ctx.parsed.x).replace('%', '') + ' = ' + fmt(v) + unit;
      return name + ': ' + (unit === '' || unit === ' requests' ? v : fmt(v)) + unit;
    };
    if (b.percentileAxis) {
      var x = options.scales.x;
      x.min = 1;
      x.afterBuildTicks = function (axis) {
        var ticks = [];
        for (var v = 1; v <= axis.max * 1.0001; v *= 10) ticks.push({ value: v });
        axis.ticks = ticks;
      };
      x.ticks = { callback: function (v) { return percentileLabel(v); } };
    }
    if (b.threshold) plugins.threshold = b.threshold;
    if (b.points) {
      var points = b.points;
      callbacks.footer = function (items) {
        var p = items.length ? points[items[0].dataIndex] : null;
        return p ? p.lines.concat(['(click to open this run)']) : [];
      };
      options.onClick = function (_evt, elements) {
        if (elements.length && points[elements[0].index]) window.location.href = points[elements[0].index].href;
      };
      options.onHover = function (evt, elements) {
        evt.native.target.style.cursor = elements.length ? 'pointer' : 'default';
      };
    }
    if (b.legendFromBorder) {
      plugins.legend.labels.generateLabels = function (chart) {
        return Chart.defaults.plugins.legend.labels.generateLabels(chart).map(function (item) {
          var ds = chart.data.datasets[item.datasetIndex];
          item.fillStyle = ds.borderColor;
          item.strokeStyle = ds.borderColor;
          return item;
        });
      };
    }
    if (b.notes) {
      var notes = b.notes;
      callbacks.afterLabel = function (ctx) {
        return (notes[ctx.datasetIndex] && notes[ctx.datasetIndex][ctx.dataIndex]) || '';
      };
    }
    return { type: spec.type, data: spec.data, options: options };
  }

  var drawn = 0;
  Object.keys(data.charts).forEach(function (id) {
    var canvas = document.getElementById(id);
    if (!canvas) throw new Error('report: no canvas for chart ' + id);
    new Chart(canvas, configFor(data.charts[id]));
    drawn++;
  });
  document.documentElement.setAttribute('data-charts-drawn', String(drawn));
})();
