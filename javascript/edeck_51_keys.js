/**
 * Embedding Deck — Ctrl/Cmd+Up/Down on prompt text, and Ctrl+Z for our direct edits.
 *
 * The WebUI's own handler listens on window in the bubble phase and never stops the event,
 * so two handlers would both fire. Ours listens on window in the capture phase — before any
 * other — and stops the event, so exactly one adjustment happens per key press. The
 * setting edeck_own_weight_keys = false hands the key back to the WebUI.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var TARGET = "*:is([id*='_toprow'] [id*='_prompt'], .prompt) textarea";

    function ownKeys() {
        var v = EDeck.host.opts().edeck_own_weight_keys;
        if (v === undefined && EDeck.deck) {
            v = EDeck.deck.settings.edeck_own_weight_keys;
        }
        return v !== false;
    }

    function onKey(ev) {
        if (ev.isComposing || !(ev.ctrlKey || ev.metaKey)) {
            return;
        }
        var ta = ev.composedPath ? ev.composedPath()[0] : ev.target;
        if (!ta || ta.tagName !== "TEXTAREA" || !ta.matches(TARGET)) {
            return;
        }
        if ((ev.key === "z" || ev.key === "Z") && !ev.shiftKey && !ev.altKey) {
            if (EDeck.caret.undoOwnEdit(ta)) {
                ev.preventDefault();
                ev.stopImmediatePropagation();
            }
            return;
        }
        if ((ev.key !== "ArrowUp" && ev.key !== "ArrowDown") || !ownKeys()) {
            return;
        }
        ev.preventDefault();
        ev.stopImmediatePropagation();
        var opts = EDeck.weight.optionsFrom(EDeck.host.opts());
        var r = EDeck.weight.adjust(ta.value, ta.selectionStart, ta.selectionEnd, ev.key === "ArrowUp", opts);
        if (r.changed) {
            EDeck.caret.applyEdit(ta, r.text, r.start, r.end);
        } else {
            ta.setSelectionRange(r.start, r.end);
        }
    }

    window.addEventListener("keydown", onKey, true);
    EDeck.keys = {onKey: onKey, TARGET: TARGET};
})();
