/* components/lazy.py's LazyBlock: its children (a chart, a large table, a grid) are rendered when
   the block comes within 200 px of the viewport, so what sits below the fold costs nothing until
   read (issue 16). The block holds its height throughout, so nothing jumps. Blocks in view are
   revealed one per task, once plotly.js is there, so one long task does not draw every chart
   of a page at once (the page answers taps in between). Everything is rendered before
   printing, and at once where IntersectionObserver is missing. */
(function () {
  "use strict";
  var queue = [];          // reveal functions of blocks in view, in the order they came into view
  var pumping = false;
  var waitedForPlotly = 0; // ms: a page without charts never loads plotly.js; do not wait forever
  var revealedOne = false;
  var everyBlock = [];

  function pump() {
    if (!queue.length) { pumping = false; return; }
    // The first block goes at once (it starts plotly.js loading); the next ones wait for it,
    // else they would all be drawn in the one task in which plotly.js arrives.
    if (revealedOne && !window.Plotly && waitedForPlotly < 10000) {
      waitedForPlotly += 50;
      setTimeout(pump, 50);
      return;
    }
    revealedOne = true;
    queue.shift()();
    setTimeout(pump, 0);
  }

  function enqueue(reveal) {
    if (queue.indexOf(reveal) < 0) { queue.push(reveal); }
    if (!pumping) { pumping = true; setTimeout(pump, 0); }
  }

  window.addEventListener("beforeprint", function () {
    everyBlock.slice().forEach(function (reveal) { reveal(); });
  });

  function LazyBlock(props) {
    var React = window.React;
    var ref = React.useRef(null);
    var state = React.useState(!("IntersectionObserver" in window));
    var shown = state[0], setShown = state[1];
    React.useEffect(function () {
      if (shown) { return undefined; }
      var reveal = function () { setShown(true); };
      everyBlock.push(reveal);
      var observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { observer.disconnect(); enqueue(reveal); }
      }, {rootMargin: "0px 0px 200px 0px"});
      observer.observe(ref.current);
      return function () {
        observer.disconnect();
        [everyBlock, queue].forEach(function (list) {
          var i = list.indexOf(reveal);
          if (i >= 0) { list.splice(i, 1); }
        });
      };
    }, [shown]);
    // The height is held after the reveal too: dcc.Graph draws nothing until plotly.js has
    // loaded, and a block collapsing meanwhile would shift everything below it twice.
    var style = props.style || {};
    if (props.height) { style = Object.assign({minHeight: props.height + "px"}, style); }
    return React.createElement("div", {
      ref: ref,
      id: typeof props.id === "string" ? props.id : undefined,
      className: ((props.className || "") + " lazy-block" + (shown ? "" : " lazy-block-pending")).trim(),
      style: style
    }, shown ? props.children : null);
  }
  window.tthc_lazy = {LazyBlock: LazyBlock};
})();
