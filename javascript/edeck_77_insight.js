/**
 * Embedding Deck — the editor's "See what it does" section: Compare (with the weights
 * 0.6–1.2 offered), the embedding's last comparison (/compare/last), and "What the
 * vectors resemble" (/nearest on demand: per vector its norm and 5 nearest tokens; SDXL:
 * both encoders). Added to the editor when it opens, without touching its own code.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var EDITOR_WEIGHTS = "0.6, 0.8, 1.0, 1.2";
    var section = null;
    var shownFor = null;

    function h(tag, attrs, children) {
        var el = document.createElement(tag);
        Object.keys(attrs || {}).forEach(function (k) {
            if (k === "text") {
                el.textContent = attrs[k];
            } else {
                el.setAttribute(k, attrs[k]);
            }
        });
        (children || []).forEach(function (c) {
            el.appendChild(c);
        });
        return el;
    }

    function build(modal) {
        section = h("section", {class: "edeck-insight", "aria-labelledby": "embedding_deck_insight_title"}, [
            h("h3", {id: "embedding_deck_insight_title", class: "edeck-insight-title", text: EDeck.t("See what it does")}),
            h("div", {class: "edeck-insight-row"}, [
                h("button", {type: "button", class: "edeck-button", "data-action": "insight-compare", text: EDeck.t("Compare…")}),
                h("span", {class: "edeck-hint edeck-insight-why"}),
            ]),
            h("p", {class: "edeck-hint edeck-insight-last"}),
            h("h4", {class: "edeck-insight-subtitle", text: EDeck.t("What the vectors resemble")}),
            h("div", {class: "edeck-insight-row"}, [
                h("button", {type: "button", class: "edeck-button", "data-action": "insight-nearest", text: EDeck.t("Show nearest tokens")}),
            ]),
            h("div", {class: "edeck-nearest", "aria-live": "polite"}),
        ]);
        // last in the side column: after the preview's controls in the Tab order
        var side = modal.querySelector(".edeck-modal-side") || modal.querySelector(".edeck-modal-box");
        side.appendChild(section);
        section.addEventListener("click", onClick);
    }

    function current() {
        var meta = EDeck.modal && EDeck.modal.current();
        return meta && meta.entry;
    }

    function fill(entry) {
        shownFor = entry.path;
        var support = EDeck.compare.support();
        var button = section.querySelector("[data-action=insight-compare]");
        button.disabled = !support.available;
        button.title = support.available ? EDeck.t("Compare images without it and at the weights {w}", {w: EDITOR_WEIGHTS}) : EDeck.compare.reason();
        section.querySelector(".edeck-insight-why").textContent = support.available ? "" : EDeck.compare.reason();
        section.querySelector(".edeck-nearest").textContent = "";
        section.querySelector("[data-action=insight-nearest]").disabled = false;
        var last = section.querySelector(".edeck-insight-last");
        last.textContent = "";
        last.hidden = true;
        EDeck.api.request("GET", "/compare/last?path=" + encodeURIComponent(entry.path)).then(function (res) {
            if (shownFor !== entry.path || !res || !res.job) {
                return;
            }
            var job = res.job;
            last.hidden = false;
            var when = job.finished ? new Date(job.finished * 1000).toLocaleString() : "";
            last.textContent = EDeck.t("Last comparison: {when}, {n} images ({state}). ", {when: when, n: job.tiles.length, state: EDeck.t(job.state)});
            var open = h("button", {type: "button", class: "edeck-button", "data-action": "insight-last", text: EDeck.t("Show it")});
            open.jobData = job;
            last.appendChild(open);
        }).catch(function () {
            // no last comparison to show (the standalone page, a file that just went away)
        });
    }

    function nearest(entry, button) {
        var out = section.querySelector(".edeck-nearest");
        button.disabled = true;
        out.textContent = EDeck.t("Reading the vectors…");
        EDeck.api.request("GET", "/nearest?path=" + encodeURIComponent(entry.path)).then(function (res) {
            if (shownFor !== entry.path) {
                return;
            }
            out.textContent = "";
            res.encoders.forEach(function (enc) {
                var table = h("table", {class: "edeck-nearest-table"}, [
                    h("caption", {text: EDeck.t("Text encoder {encoder}", {encoder: enc.encoder})}),
                    h("tr", {}, [h("th", {scope: "col", text: EDeck.t("Vector")}), h("th", {scope: "col", text: EDeck.t("Norm")}),
                        h("th", {scope: "col", text: EDeck.t("Nearest tokens (cosine similarity)")})]),
                ]);
                enc.vectors.forEach(function (v) {
                    var tokens = v.nearest.map(function (n) {
                        return n.token + " " + n.similarity.toFixed(3);
                    }).join(", ");
                    table.appendChild(h("tr", {"data-vector": String(v.index)}, [h("td", {text: String(v.index + 1)}),
                        h("td", {text: v.norm.toFixed(3)}), h("td", {text: tokens})]));
                });
                out.appendChild(table);
            });
        }).catch(function (err) {
            out.textContent = EDeck.t(err.message);
            button.disabled = false;
        });
    }

    function onClick(ev) {
        var action = ev.target.closest("[data-action]");
        var entry = current();
        if (!action || !entry) {
            return;
        }
        var name = action.dataset.action;
        if (name === "insight-compare") {
            EDeck.comparePanel.open([entry.path], EDITOR_WEIGHTS);
        } else if (name === "insight-nearest") {
            nearest(entry, action);
        } else if (name === "insight-last" && action.jobData) {
            EDeck.comparePanel.showJob(action.jobData);
        }
    }

    /** The editor is built on first use and shown by removing hidden: follow both. */
    function ready() {
        var seen = null;
        function check() {
            var modal = EDeck.modal && EDeck.modal.element();
            if (!modal) {
                return;
            }
            if (modal !== seen) {
                seen = modal;
                new MutationObserver(function () {
                    var entry = current();
                    if (!modal.hidden && entry) {
                        if (!section || !modal.contains(section)) {
                            build(modal);
                        }
                        fill(entry);
                    }
                }).observe(modal, {attributes: true, attributeFilter: ["hidden"]});
            }
        }
        new MutationObserver(check).observe(EDeck.shadow, {childList: true});
        check();
    }

    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.ready.push(ready);
})();
