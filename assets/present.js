/* /present: arrow keys step through the slides by clicking the next / previous buttons
   (dcc.Link, so the URL's slide= changes and Dash renders the slide); Escape leaves. */
(function () {
  var KEYS = {
    ArrowRight: "prs-next", PageDown: "prs-next", " ": "prs-next",
    ArrowLeft: "prs-prev", PageUp: "prs-prev",
    Escape: "prs-exit"
  };
  document.addEventListener("keydown", function (e) {
    if (!document.getElementById("prs-overlay")) { return; }
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) { return; }
    var target = e.target || {};
    var tag = (target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable) { return; }
    var id = KEYS[e.key];
    if (!id) { return; }
    var el = document.getElementById(id);
    if (el && el.tagName.toLowerCase() === "a") {
      e.preventDefault();
      el.click();
    }
  });
})();
