/* The two big libraries load only on the pages that use them (issue 16; server/delivery.py).
   Their URLs (fingerprinted, cached for a year) come in <meta name="tthc-libraries">.

   - plotly.js: dcc.Graph loads window._dashPlotlyJSURL when a page's first chart mounts; it is
     pinned here to the app's partial bundle (bar, scatter, heatmap...), which Dash's renderer
     would otherwise set to its full bundle.
   - dash-ag-grid: window.dash_ag_grid.AgGrid is a stand-in until a grid is first rendered; then
     the real script loads and the stand-in renders the real grid with the same props. The
     renderer waits for it before running callbacks on the grid (_dashprivate_isLazyComponentReady,
     the hook Dash's own async components use). */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="tthc-libraries"]');
  if (!meta) { return; }
  var urls = JSON.parse(meta.getAttribute("content"));

  if (urls.plotly) {
    Object.defineProperty(window, "_dashPlotlyJSURL", {
      configurable: true,
      get: function () { return urls.plotly; },
      set: function () { /* the renderer's full-bundle URL: ignored */ }
    });
    var plotly;
    Object.defineProperty(window, "Plotly", {
      configurable: true,
      get: function () { return plotly; },
      set: function (lib) { plotly = lib; skipResizeToSameSize(lib); }
    });
  }

  /* dcc.Graph resizes every chart just after drawing it, and again when its ResizeObserver first
     reports (both at the size just drawn). plotly.js then relays the chart out and dcc.Graph
     hands the relayout to Dash: 50-150 ms of a phone's main thread (4x CPU slowdown) for /levels'
     two charts in view, and nothing on screen changes. A resize to the size the chart already
     has (within plotly's own 1 px, Plots.plotAutoSize) is skipped; any other goes as before. */
  function skipResizeToSameSize(lib) {
    if (!lib || !lib.Plots || !lib.Plots.resize || lib.Plots.resize.tthcSameSize) { return; }
    var resize = lib.Plots.resize;
    var sameSize = function (gd) {
      var full = gd && gd._fullLayout;
      if (!full || !gd.layout || gd.layout.autosize === false) { return false; }  // plotly would switch it on
      var style = window.getComputedStyle(gd);
      var width = parseFloat(style.width), height = parseFloat(style.height);
      return Math.abs(width - full.width) <= 1 && Math.abs(height - full.height) <= 1;
    };
    lib.Plots.resize = function (gd) {
      var div = typeof gd === "string" ? document.getElementById(gd) : gd;
      return sameSize(div) ? Promise.resolve(div) : resize.apply(this, arguments);
    };
    lib.Plots.resize.tthcSameSize = true;
  }

  if (!urls.dash_ag_grid) { return; }
  var real = null;      // the library once loaded
  var loading = null;   // its load, started by the first grid
  var standIn = {};

  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = urls.dash_ag_grid;
        script.onload = function () {
          real = window.dash_ag_grid;
          // Keep the stand-in registered so the renderer keeps one component type (no remount);
          // the library's other exports (getApi...) pass through.
          Object.keys(real).forEach(function (name) { if (!standIn[name]) { standIn[name] = real[name]; } });
          ["propTypes", "dashPersistence", "persistenceTransforms"].forEach(function (key) {
            if (real.AgGrid[key] !== undefined) { standIn.AgGrid[key] = real.AgGrid[key]; }
          });
          window.dash_ag_grid = standIn;
          resolve(real);
        };
        script.onerror = function () { loading = null; reject(new Error("dash-ag-grid did not load")); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function AgGrid(props) {
    var React = window.React;
    var state = React.useState(real);
    var lib = state[0], setLib = state[1];
    React.useEffect(function () {
      if (!lib) { load().then(function (l) { setLib(function () { return l; }); }); }
    }, []);
    if (lib) { return React.createElement(lib.AgGrid, props); }
    // Holds the grid's place (its height) while the library loads: nothing below it jumps.
    return React.createElement("div", {
      id: typeof props.id === "string" ? props.id : undefined,
      className: ((props.className || "") + " tthc-grid-loading").trim(),
      style: props.style
    });
  }
  AgGrid.dashRenderType = true;  // as the real AgGrid declares (the renderer reads it by presence)
  Object.defineProperty(AgGrid, "_dashprivate_isLazyComponentReady", {
    configurable: true,
    get: function () { return load(); }
  });
  standIn.AgGrid = AgGrid;
  window.dash_ag_grid = standIn;
})();
