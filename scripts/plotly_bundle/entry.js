// plotly.js with only the trace types the app draws: bar, heatmap and scatter (scatter is in the
// core of every plotly.js bundle). tests/test_delivery.py checks every page's figures against them.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap')
]);

module.exports = Plotly;
