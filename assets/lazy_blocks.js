/* components/lazy.py's LazyBlock: its children (a chart) are rendered when the block comes
   within a screen of the viewport, so a page's charts below the fold cost nothing until read
   (issue 16). Until then the block holds its height, so nothing jumps. Everything is
   rendered before printing, and at once where IntersectionObserver is missing. */
(function () {
  "use strict";
  var revealers = [];
  window.addEventListener("beforeprint", function () {
    revealers.slice().forEach(function (reveal) { reveal(); });
  });

  function LazyBlock(props) {
    var React = window.React;
    var ref = React.useRef(null);
    var state = React.useState(!("IntersectionObserver" in window));
    var shown = state[0], setShown = state[1];
    React.useEffect(function () {
      if (shown) { return undefined; }
      var reveal = function () { setShown(true); };
      revealers.push(reveal);
      var observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { reveal(); }
      }, {rootMargin: "100% 0px"});
      observer.observe(ref.current);
      return function () {
        observer.disconnect();
        revealers.splice(revealers.indexOf(reveal), 1);
      };
    }, [shown]);
    var style = props.style || {};
    if (!shown && props.height) { style = Object.assign({minHeight: props.height + "px"}, style); }
    return React.createElement("div", {
      ref: ref,
      id: typeof props.id === "string" ? props.id : undefined,
      className: ((props.className || "") + " lazy-block" + (shown ? "" : " lazy-block-pending")).trim(),
      style: style
    }, shown ? props.children : null);
  }
  window.tthc_lazy = {LazyBlock: LazyBlock};
})();
