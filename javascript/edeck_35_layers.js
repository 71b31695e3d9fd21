/**
 * Embedding Deck — Esc for our layers (the editor over the drawer). The WebUI's script.js
 * binds Esc on document to Interrupt: an Esc meant for the deck must never get there.
 *
 * One listener on <html>, bubble phase: it runs after the element's own handlers (a
 * tagcomplete popup in a prompt box still closes first) and before every document and
 * window listener. While one of our layers is open it stops the event there and closes
 * the topmost layer, unless an inner handler already used the key (defaultPrevented).
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var stack = [];

    /** layer = {isOpen(): bool, close()}; later registrations sit above earlier ones. */
    function register(layer, above) {
        stack.splice(above ? stack.length : 0, 0, layer);
    }

    function top() {
        for (var i = stack.length - 1; i >= 0; i--) {
            if (stack[i].isOpen()) {
                return stack[i];
            }
        }
        return null;
    }

    function onKey(ev) {
        if (ev.key !== "Escape" || ev.isComposing) {
            return;
        }
        var layer = top();
        if (!layer) {
            return;
        }
        ev.stopPropagation();
        if (!ev.defaultPrevented) {
            ev.preventDefault();
            layer.close();
        }
    }

    if (document.documentElement) {
        document.documentElement.addEventListener("keydown", onKey);
    }
    EDeck.layers = {register: register, top: top, onKey: onKey};
})();
