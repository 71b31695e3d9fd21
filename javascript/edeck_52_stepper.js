/**
 * Embedding Deck — the weight stepper for touch screens (no Ctrl+↑/↓ on a phone keyboard):
 * "word − 1.1 + ↶" for the word or group at the caret of the last-used prompt box. Each
 * press is one Ctrl+↑/↓ of the same engine (EDeck.weight) and one undo step (↶, or the
 * browser's own undo). Shown on coarse pointers only (style.css); the virtual keyboard
 * stays down while it edits.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var bar = null;
    var coarse = null; // (pointer: coarse): where style.css shows the bar

    function h(tag, cls, text, attrs) {
        var node = document.createElement(tag);
        node.className = cls;
        if (text) {
            node.textContent = text;
        }
        Object.keys(attrs || {}).forEach(function (k) {
            node.setAttribute(k, attrs[k]);
        });
        return node;
    }

    function options() {
        return EDeck.weight.optionsFrom(EDeck.host.opts());
    }

    /** Run fn on the box with the virtual keyboard kept down; the focus goes back after. */
    function onBox(ta, fn) {
        var before = EDeck.host.activeElement();
        var mode = ta.getAttribute("inputmode");
        if (before !== ta) {
            ta.setAttribute("inputmode", "none");
        }
        try {
            return fn();
        } finally {
            if (before !== ta) {
                if (before && before !== document.body && before.focus) {
                    before.focus({preventScroll: true});
                } else {
                    ta.blur();
                }
                if (mode === null) {
                    ta.removeAttribute("inputmode");
                } else {
                    ta.setAttribute("inputmode", mode);
                }
            }
        }
    }

    function step(up) {
        var at = EDeck.caret.last();
        if (!at) {
            return;
        }
        var r = EDeck.weight.adjust(at.ta.value, at.start, at.end, up, options());
        if (r.changed) {
            onBox(at.ta, function () {
                EDeck.caret.applyEdit(at.ta, r.text, r.start, r.end);
            });
        }
        update();
    }

    function undo() {
        var at = EDeck.caret.last();
        if (at) {
            onBox(at.ta, function () {
                EDeck.caret.undoEdit(at.ta);
            });
        }
        update();
    }

    function build(deck) {
        bar = h("div", "edeck-stepper", "", {role: "group", "aria-label": EDeck.t("Weight at the caret")});
        var what = h("span", "edeck-stepper-what", "", {id: "embedding_deck_stepper_what"});
        var down = h("button", "edeck-button edeck-stepper-down", "−", {type: "button", "aria-label": EDeck.t("Lower the weight")});
        var value = h("output", "edeck-stepper-value", "", {"aria-live": "polite"});
        var up = h("button", "edeck-button edeck-stepper-up", "+", {type: "button", "aria-label": EDeck.t("Raise the weight")});
        var back = h("button", "edeck-button edeck-stepper-undo", "↶", {type: "button", "aria-label": EDeck.t("Undo")});
        [what, down, value, up, back].forEach(function (n) {
            bar.appendChild(n);
        });
        [down, up, back].forEach(function (b) {
            b.title = b.getAttribute("aria-label");
            // keep the focus (and the caret) in a prompt box that has it
            b.addEventListener("pointerdown", function (ev) {
                ev.preventDefault();
            });
        });
        down.addEventListener("click", function () {
            step(false);
        });
        up.addEventListener("click", function () {
            step(true);
        });
        back.addEventListener("click", undo);
        // last of the tools: on a phone it shares Refresh's row where there is room
        deck.root.querySelector(".edeck-tools").appendChild(bar);
        update();
    }

    /** Show what a press would change, or why nothing can. */
    function update() {
        coarse = coarse || window.matchMedia("(pointer: coarse)");
        if (!bar || !coarse.matches) {
            return;
        }
        var at = EDeck.caret.last();
        var d = at && EDeck.weight.describe(at.ta.value, at.start, at.end, options());
        var what = bar.querySelector(".edeck-stepper-what");
        what.textContent = d ? d.label : EDeck.t(at ? "No word at the caret" : "Tap a word in a prompt");
        what.title = what.textContent;
        var w = d ? d.weight : null;
        bar.querySelector(".edeck-stepper-value").textContent = w === null ? "" : Number.isInteger(w) ? w.toFixed(1) : String(w);
        bar.querySelector(".edeck-stepper-down").disabled = !d;
        bar.querySelector(".edeck-stepper-up").disabled = !d;
        bar.querySelector(".edeck-stepper-undo").disabled = !at;
    }

    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.ready.push(build);
    EDeck.stepper = {update: update, step: step, undo: undo};
})();
