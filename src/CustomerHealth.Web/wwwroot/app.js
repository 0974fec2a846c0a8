// Draws every chart on the page from the ECharts options in its data-chart attribute, and again after Blazor's
// enhanced navigation swaps the page. Kept free of inline script so the Content-Security-Policy stays strict.
(function () {
    function draw() {
        document.querySelectorAll('.chart[data-chart]').forEach(function (el) {
            var existing = echarts.getInstanceByDom(el);
            if (existing) { existing.dispose(); }
            var chart = echarts.init(el, null, { renderer: 'svg' });
            chart.setOption(JSON.parse(el.dataset.chart));
        });
    }
    window.addEventListener('resize', function () {
        document.querySelectorAll('.chart[data-chart]').forEach(function (el) {
            var c = echarts.getInstanceByDom(el);
            if (c) { c.resize(); }
        });
    });
    document.addEventListener('DOMContentLoaded', draw);
    window.addEventListener('load', function () {
        if (window.Blazor && window.Blazor.addEventListener) { window.Blazor.addEventListener('enhancedload', draw); }
    });
})();
