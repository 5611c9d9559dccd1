/* components/lazy.py's LazyBlock: its children (a chart, a large table, a grid) are rendered when
   the block comes within 200 px of the viewport, so what sits below the fold costs nothing until
   read (issue 16). The block holds its height throughout, so nothing jumps. Blocks in view are
   revealed one per task, once plotly.js is there, so one long task does not draw every chart
   of a page at once (the page answers taps in between). On a phone (below Bootstrap's sm), a
   block only near the viewport (in the 200 px below it) waits for the reader's first scroll:
   /levels' second chart sits just below a phone's fold, and drawing it during the load cost
   ~300 ms of main thread at 4x CPU slowdown for a chart nobody saw yet. Everything is rendered
   before printing, and at once where IntersectionObserver is missing. */
(function () {
  "use strict";
  var queue = [];          // reveal functions of blocks in view, in the order they came into view
  var pumping = false;
  var waitedForPlotly = 0; // ms: a page without charts never loads plotly.js; do not wait forever
  var revealedOne = false;
  var everyBlock = [];
  var phone = window.matchMedia && window.matchMedia("(max-width: 575.98px)").matches;
  var scrolled = !phone;   // the reader has scrolled since the load
  var nearby = [];         // [reveal, element] of blocks near the viewport, held until then

  function inView(box) { return box.top < window.innerHeight && box.bottom > 0; }

  function readerScrolled() {
    scrolled = true;
    window.removeEventListener("scroll", readerScrolled, true);
    window.removeEventListener("resize", sizeChanged);
    nearby.splice(0).forEach(function (held) { enqueue(held[0]); });
  }

  // Resize events come during a load too (three in a Lighthouse phone run): not the reader
  // moving, but a block a resize brings into view (a phone turned sideways) is drawn.
  function sizeChanged() {
    nearby.filter(function (held) { return inView(held[1].getBoundingClientRect()); }).forEach(function (held) {
      nearby.splice(nearby.indexOf(held), 1);
      enqueue(held[0]);
    });
  }
  if (!scrolled) {
    window.addEventListener("scroll", readerScrolled, {capture: true, passive: true});  // any scroller
    window.addEventListener("resize", sizeChanged);
  }

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
        var seen = entries.filter(function (e) { return e.isIntersecting; })[0];
        if (!seen) { return; }
        observer.disconnect();
        if (scrolled || inView(seen.boundingClientRect)) { enqueue(reveal); } else { nearby.push([reveal, ref.current]); }
      }, {rootMargin: "0px 0px 200px 0px"});
      observer.observe(ref.current);
      return function () {
        observer.disconnect();
        [everyBlock, queue].forEach(function (list) {
          var i = list.indexOf(reveal);
          if (i >= 0) { list.splice(i, 1); }
        });
        nearby = nearby.filter(function (held) { return held[0] !== reveal; });
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
