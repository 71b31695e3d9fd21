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

    /**
     * Translate a UI string through the WebUI's localization dict (window.localization,
     * also filled by the standalone server's --lang), then fill {placeholders} from vars.
     */
    EDeck.t = function (text, vars) {
        var dict = typeof window.localization === "object" && window.localization ? window.localization : {};
        var out = text;
        if (Object.prototype.hasOwnProperty.call(dict, text)) {
            out = dict[text];
        } else if (!vars) {
            var hit = matchTemplate(dict, String(text));
            if (hit) {
                out = hit.text;
                vars = hit.vars;
            }
        }
        return String(out).replace(/\{(\w+)\}/g, function (m, key) {
            return vars && vars[key] !== undefined ? String(vars[key]) : m;
        });
    };

    var templates = null;
    var templatesFor = null;

    /**
     * Server sentences carry details ("Tensor 'x' lies beyond…"); the dictionary holds them
     * as templates with {0}, {1}… Find the template a concrete sentence was made from.
     */
    function matchTemplate(dict, text) {
        if (templatesFor !== dict) {
            templatesFor = dict;
            templates = Object.keys(dict).filter(function (k) {
                return /\{\w+\}/.test(k);
            }).map(function (k) {
                var names = [];
                var pattern = k.split(/(\{\w+\})/).map(function (part) {
                    var m = /^\{(\w+)\}$/.exec(part);
                    if (m) {
                        names.push(m[1]);
                        return "([\\s\\S]+?)";
                    }
                    return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
                }).join("");
                return {key: k, names: names, re: new RegExp("^" + pattern + "$")};
            });
        }
        for (var i = 0; i < templates.length; i++) {
            var m = templates[i].re.exec(text);
            if (m) {
                var vars = {};
                templates[i].names.forEach(function (name, j) {
                    vars[name] = m[j + 1];
                });
                return {text: dict[templates[i].key], vars: vars};
            }
        }
        return null;
    }

    /**
     * Translate the fixed texts under node: text nodes, title, placeholder, aria-label.
     * The WebUI's localization.js does this for the whole page; the standalone page has no
     * such script, so it calls this on our elements and on gradio's labels.
     */
    EDeck.translateTree = function (node) {
        var dict = typeof window.localization === "object" && window.localization ? window.localization : null;
        if (!dict || !Object.keys(dict).length || !node) {
            return;
        }
        var walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
        var texts = [];
        while (walker.nextNode()) {
            texts.push(walker.currentNode);
        }
        texts.forEach(function (t) {
            var key = t.nodeValue.trim();
            var parent = t.parentElement;
            if (key && dict[key] && parent && parent.tagName !== "TEXTAREA" && parent.tagName !== "SCRIPT") {
                t.nodeValue = t.nodeValue.replace(key, dict[key]);
            }
        });
        var withAttrs = node.querySelectorAll ? node.querySelectorAll("[title], [placeholder], [aria-label]") : [];
        Array.prototype.forEach.call(withAttrs, function (el) {
            ["title", "placeholder", "aria-label"].forEach(function (attr) {
                var v = el.getAttribute(attr);
                if (v && dict[v]) {
                    el.setAttribute(attr, dict[v]);
                }
            });
        });
    };

    // Where our scripts came from: style.css sits beside javascript/ (the WebUI) or beside
    // the scripts themselves (the standalone page's static route).
    var scriptSrc = (document.currentScript && document.currentScript.src) || "";

    /** URL of our style.css: the page's own <link> to it when there is one (cache hit). */
    host.styleUrl = function () {
        var base = scriptSrc.split("?")[0].replace(/[^/]*$/, "").replace(/javascript\/$/, "") + "style.css";
        var links = document.querySelectorAll("link[rel=stylesheet]");
        for (var i = 0; i < links.length; i++) {
            if (links[i].href.split("?")[0] === base) {
                return links[i].href;
            }
        }
        return base;
    };

    /**
     * A new element with an open shadow root holding our stylesheet. The deck lives in one:
     * the host's CSS cannot restyle it (theme variables still inherit), and the WebUI's
     * page-wide MutationObserver and localization pass never see its updates. ready
     * resolves once the stylesheet is in (or failed, or after 5 s).
     */
    host.shadowHost = function (id, cls) {
        var el = document.createElement("div");
        el.id = id;
        el.className = cls;
        var shadow = el.attachShadow({mode: "open"});
        var link = document.createElement("link");
        link.rel = "stylesheet";
        var ready = new Promise(function (resolve) {
            link.addEventListener("load", resolve);
            link.addEventListener("error", resolve);
            setTimeout(resolve, 5000);
        });
        link.href = host.styleUrl();
        shadow.appendChild(link);
        followScheme(el);
        return {el: el, shadow: shadow, ready: ready};
    };

    /** Dark theme: gradio puts .dark on <body>; native controls follow color-scheme. */
    function followScheme(el) {
        function update() {
            var dark = document.body.classList.contains("dark") || document.documentElement.classList.contains("dark");
            el.dataset.edeckScheme = dark ? "dark" : "light";
        }
        update();
        if (window.MutationObserver) {
            new MutationObserver(update).observe(document.body, {attributes: true, attributeFilter: ["class"]});
        }
    }

    /** The focused element, looking inside shadow roots. */
    host.activeElement = function () {
        var el = document.activeElement;
        while (el && el.shadowRoot && el.shadowRoot.activeElement) {
            el = el.shadowRoot.activeElement;
        }
        return el;
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
