/**
 * Embedding Deck — host glue. The only file that touches the WebUI's globals
 * (gradioApp, onUiLoaded, updateInput, opts, onOptionsChanged); each has a fallback so the
 * same scripts run on the standalone page, where those globals do not exist.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var host = (EDeck.host = {});

    /** The root to query: the WebUI's gradioApp(), else the gradio-app element or document. */
    host.app = function () {
        if (typeof window.gradioApp === "function") {
            return window.gradioApp();
        }
        var el = document.querySelector("gradio-app");
        return (el && el.shadowRoot) || document;
    };

    host.$ = function (selector) {
        return host.app().querySelector(selector);
    };

    host.$$ = function (selector) {
        return Array.prototype.slice.call(host.app().querySelectorAll(selector));
    };

    /** Tell gradio a textarea changed (the WebUI's updateInput when present). */
    host.updateInput = function (el) {
        if (typeof window.updateInput === "function") {
            window.updateInput(el);
            return;
        }
        var event = new Event("input", {bubbles: true});
        Object.defineProperty(event, "target", {value: el});
        el.dispatchEvent(event);
    };

    /** The WebUI's settings object ({} until it is filled, and on the standalone page). */
    host.opts = function () {
        return (typeof window.opts === "object" && window.opts) || {};
    };

    host.onOptionsChanged = function (fn) {
        if (typeof window.onOptionsChanged === "function") {
            window.onOptionsChanged(fn);
        }
    };

    /** Base URL of our routes, relative so a WebUI served under a sub-path works. */
    host.base = "./edeck/v1";

    /**
     * Run fn once, when the element matching selector exists. Uses onUiLoaded in the
     * WebUI (it fires once #txt2img_prompt exists) and polls as a fallback everywhere.
     */
    host.whenPresent = function (selector, fn) {
        var done = false;
        function attempt() {
            if (done) {
                return true;
            }
            var el = host.$(selector);
            if (el) {
                done = true;
                fn(el);
            }
            return done;
        }
        if (typeof window.onUiLoaded === "function") {
            window.onUiLoaded(attempt);
        }
        (function poll() {
            if (!attempt()) {
                setTimeout(poll, 100);
            }
        })();
    };
})();
