/* Accessibility of the frame (issue 18).
 *
 * 1. <html lang> follows the language switch: the server writes it into the page for the
 *    first load (server.shell), this clientside callback keeps it right when the switch
 *    changes ?lang= without a reload, so a screen reader reads Vietnamese with a Vietnamese voice.
 *
 * 2. dcc.Dropdown (Dash 4) puts a focusable <input tabindex=0 aria-hidden=true> before its
 *    button, for Safari, which skips buttons when tabbing: a keyboard user lands on a control
 *    that screen readers are told does not exist (axe: aria-hidden-focus). Here the button
 *    itself takes the Tab stop (it opens on Enter / ArrowDown / Space as before) and the
 *    hidden input leaves the tab order. The dropdown resets the input's tabindex on blur,
 *    hence the observer.
 */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    a11y: {
        set_lang: function (search) {
            var lang = new URLSearchParams(search || "").get("lang") === "en" ? "en" : "vi";
            if (document.documentElement.lang !== lang) {
                document.documentElement.lang = lang;
            }
            return window.dash_clientside.no_update;
        },
    },
});

(function () {
    function fixDropdown(input) {
        if (input.getAttribute("tabindex") !== "-1") {
            input.setAttribute("tabindex", "-1");
        }
        var button = input.nextElementSibling;
        if (button && button.tagName === "BUTTON" && !button.disabled && button.getAttribute("tabindex") !== "0") {
            button.setAttribute("tabindex", "0");
        }
    }

    function fixAll(root) {
        if (root.matches && root.matches("input.dash-dropdown-focus-target")) {
            fixDropdown(root);
            return;
        }
        var inputs = root.querySelectorAll("input.dash-dropdown-focus-target");
        for (var i = 0; i < inputs.length; i++) {
            fixDropdown(inputs[i]);
        }
    }

    function start() {
        fixAll(document);
        new MutationObserver(function (mutations) {
            for (var i = 0; i < mutations.length; i++) {
                var m = mutations[i];
                if (m.type === "attributes") {
                    if (m.target.classList && m.target.classList.contains("dash-dropdown-focus-target")) {
                        fixDropdown(m.target);
                    } else if (m.target.previousElementSibling && m.target.previousElementSibling.classList
                               && m.target.previousElementSibling.classList.contains("dash-dropdown-focus-target")) {
                        fixDropdown(m.target.previousElementSibling);
                    }
                } else {
                    for (var j = 0; j < m.addedNodes.length; j++) {
                        if (m.addedNodes[j].nodeType === 1) {
                            fixAll(m.addedNodes[j]);
                        }
                    }
                }
            }
        }).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ["tabindex", "disabled"]});
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
