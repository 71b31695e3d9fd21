/**
 * Embedding Deck — the comparison panel (#embedding_deck_compare): the settings a
 * comparison will use (the target tab's last infotext, else its prompt boxes; seed,
 * steps, size and weights editable), Run, progress ("3 of 9", polled) and Cancel, then
 * the labelled grid and each tile with "Make preview". The server does the work.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var panel = null;
    var state = {paths: [], base: null, job: null, timer: null, opener: null, opts: null};
    var NUMBERS = [["seed", "Seed", "-1", "1"], ["steps", "Steps", "1", "1"], ["width", "Width", "64", "8"], ["height", "Height", "64", "8"]];
    var ACTIVE = {queued: 1, running: 1};

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

    function build() {
        var numbers = NUMBERS.map(function (n) {
            return h("label", {class: "edeck-field"}, [h("span", {text: EDeck.t(n[1])}),
                h("input", {name: n[0], type: "number", min: n[2], step: n[3]})]);
        });
        var box = h("div", {class: "edeck-modal-box edeck-compare-box"}, [
            h("h2", {id: "embedding_deck_compare_title", class: "edeck-modal-title", text: EDeck.t("Compare embeddings")}),
            h("div", {class: "edeck-modal-message", role: "alert", hidden: ""}),
            h("p", {class: "edeck-compare-chosen"}),
            h("form", {class: "edeck-compare-settings"}, [
                h("p", {class: "edeck-hint edeck-compare-source"}),
                h("label", {class: "edeck-field"}, [h("span", {text: EDeck.t("Prompt")}), h("textarea", {name: "prompt", rows: "2"})]),
                h("label", {class: "edeck-field"}, [h("span", {text: EDeck.t("Negative prompt")}), h("textarea", {name: "negative_prompt", rows: "2"})]),
                h("div", {class: "edeck-compare-numbers"}, numbers),
                h("p", {class: "edeck-hint edeck-compare-facts"}),
                h("label", {class: "edeck-field"}, [h("span", {text: EDeck.t("Weights (comma-separated, up to 6)")}),
                    h("input", {name: "weights", type: "text", value: "1.0"})]),
            ]),
            h("div", {class: "edeck-compare-progress", hidden: ""}, [
                h("progress", {max: "1", value: "0"}),
                h("span", {class: "edeck-compare-progress-text", role: "status", "aria-live": "polite"}),
            ]),
            h("section", {class: "edeck-compare-result", hidden: "", "aria-label": EDeck.t("Comparison result")}, [
                h("img", {class: "edeck-compare-grid", alt: ""}),
                h("div", {class: "edeck-compare-tiles"}),
            ]),
            h("div", {class: "edeck-modal-actions"}, [
                h("button", {type: "button", class: "edeck-button", "data-action": "compare-close", text: EDeck.t("Close")}),
                h("button", {type: "button", class: "edeck-button", "data-action": "compare-cancel", hidden: "", text: EDeck.t("Cancel comparison")}),
                h("button", {type: "button", class: "edeck-button edeck-primary", "data-action": "compare-run", text: EDeck.t("Run")}),
            ]),
        ]);
        panel = h("div", {id: "embedding_deck_compare", class: "edeck-modal edeck-compare", role: "dialog",
            "aria-modal": "true", "aria-labelledby": "embedding_deck_compare_title", hidden: ""}, [box]);
        EDeck.shadow.appendChild(panel);
        panel.addEventListener("click", onClick);
        panel.addEventListener("keydown", trapTab);
        panel.querySelector("form").addEventListener("submit", function (ev) {
            ev.preventDefault();
        });
    }

    function $(sel) {
        return panel.querySelector(sel);
    }

    function message(text, kind) {
        var box = $(".edeck-modal-message");
        box.hidden = !text;
        box.textContent = text ? EDeck.t(text) : "";
        box.dataset.kind = kind || "error";
    }

    /** The infotext of the last image generated in tab, or "" (hidden textbox, then HTML). */
    function lastInfotext(tab) {
        var box = EDeck.host.$("#generation_info_" + tab + " textarea");
        if (box && box.value) {
            try {
                var info = JSON.parse(box.value);
                var list = info.infotexts || [];
                var text = list[info.index_of_first_image || 0] || list[0] || "";
                if (text) {
                    return text;
                }
            } catch (err) {
                // not JSON: fall through to the HTML
            }
        }
        var html = EDeck.host.$("#html_info_" + tab + " p") || EDeck.host.$("#html_info_" + tab);
        if (!html) {
            return "";
        }
        // the tab is hidden (our tab is shown): innerText would lose the line breaks
        var copy = html.cloneNode(true);
        Array.prototype.forEach.call(copy.querySelectorAll("br"), function (br) {
            br.replaceWith("\n");
        });
        var found = copy.textContent.trim();
        return /(^|\n)Steps: /.test(found) ? found : "";
    }

    /**
     * Open the settings for paths. opts (another job using these settings, e.g. Make
     * previews) = {title, chosen, runLabel, run(base, separator) -> Promise}: no weights,
     * and Run hands the settings to opts.run, then the panel closes.
     */
    function open(paths, weights, opts) {
        if (!panel) {
            build();
        }
        if (state.job && ACTIVE[state.job.state]) {
            show(); // a comparison is running: show it, do not start another
            return;
        }
        if (EDeck.modal && EDeck.modal.element() && !EDeck.modal.element().hidden) {
            EDeck.modal.close();
        }
        state.paths = paths.slice();
        state.job = null;
        state.opts = opts || null;
        state.opener = EDeck.host.activeElement();
        mode();
        var deck = EDeck.deck;
        var tab = deck.drawerTab || deck.state.target;
        var infotext = lastInfotext(tab);
        var pos = EDeck.caret.box(tab, "pos");
        var neg = EDeck.caret.box(tab, "neg");
        var body = infotext ? {infotext: infotext} : {base: {prompt: pos ? pos.value : "", negative_prompt: neg ? neg.value : ""}};
        $(".edeck-compare-source").textContent = infotext ?
            EDeck.t("Settings of the last image generated in {tab}.", {tab: tab}) :
            EDeck.t("No image generated in {tab} yet: its prompt boxes, with default settings.", {tab: tab});
        chosen();
        $("[name=weights]").value = weights || "1.0";
        $(".edeck-compare-result").hidden = true;
        $(".edeck-compare-progress").hidden = true;
        $("form").hidden = false;
        buttons();
        message("");
        show();
        EDeck.api.request("POST", "/compare/settings", body).then(function (res) {
            fillBase(res.base);
        }).catch(function (err) {
            message(err.message);
        });
    }

    function mode() {
        var opts = state.opts;
        $("#embedding_deck_compare_title").textContent = opts ? opts.title : EDeck.t("Compare embeddings");
        $("[name=weights]").closest("label").hidden = !!opts;
        $("[data-action=compare-run]").textContent = opts ? opts.runLabel : EDeck.t("Run");
    }

    function chosen() {
        if (state.opts) {
            $(".edeck-compare-chosen").textContent = state.opts.chosen;
            return;
        }
        var names = state.paths.map(function (p) {
            var e = EDeck.deck.byPath.get(p);
            return e ? e.name + " (" + e.arch + ")" : p;
        });
        $(".edeck-compare-chosen").textContent = EDeck.t("Comparing: {names}", {names: names.join(", ")});
    }

    function fillBase(base) {
        state.base = base;
        $("[name=prompt]").value = base.prompt;
        $("[name=negative_prompt]").value = base.negative_prompt;
        NUMBERS.forEach(function (n) {
            $("[name=" + n[0] + "]").value = String(base[n[0]]);
        });
        $(".edeck-compare-facts").textContent = EDeck.t("Sampler: {sampler} · CFG: {cfg} · Checkpoint: {checkpoint}", {
            sampler: [base.sampler, base.scheduler].filter(Boolean).join(" ") || "—",
            cfg: base.cfg_scale,
            checkpoint: base.checkpoint || EDeck.t("the loaded one"),
        });
    }

    function show() {
        panel.hidden = false;
        var first = $("[data-action=compare-run]:not([hidden]):not(:disabled)") || $("[data-action=compare-close]");
        first.focus();
    }

    function close() {
        if (!panel || panel.hidden) {
            return;
        }
        panel.hidden = true;
        var opener = state.opener;
        if (opener && opener.focus && opener.isConnected) {
            opener.focus({preventScroll: true});
        }
    }

    function separator() {
        var sep = EDeck.host.opts().extra_networks_add_text_separator;
        return typeof sep === "string" && sep !== " " && sep !== "" ? sep : ", ";
    }

    function run() {
        var base = Object.assign({}, state.base || {});
        base.prompt = $("[name=prompt]").value;
        base.negative_prompt = $("[name=negative_prompt]").value;
        NUMBERS.forEach(function (n) {
            base[n[0]] = $("[name=" + n[0] + "]").value;
        });
        var weights = $("[name=weights]").value.split(/[\s,]+/).filter(Boolean);
        message("");
        $("[data-action=compare-run]").disabled = true;
        if (state.opts) {
            state.opts.run(base, separator()).then(close, function (err) {
                message(err.message);
                buttons();
            });
            return;
        }
        EDeck.api.request("POST", "/compare", {paths: state.paths, weights: weights, base: base, separator: separator()})
            .then(function (res) {
                follow(res.status);
            }).catch(function (err) {
                message(err.message);
                buttons();
            });
    }

    function follow(job) {
        state.job = job;
        progress(job);
        if (ACTIVE[job.state]) {
            clearTimeout(state.timer);
            state.timer = setTimeout(function () {
                EDeck.api.request("GET", "/compare?id=" + encodeURIComponent(job.id)).then(follow, function (err) {
                    message(err.message);
                    state.job = null;
                    buttons();
                });
            }, 400);
        } else {
            result(job);
        }
        buttons();
    }

    function progress(job) {
        var box = $(".edeck-compare-progress");
        box.hidden = false;
        box.dataset.state = job.state;
        $("progress").max = job.progress.total;
        $("progress").value = job.progress.done;
        var v = {text: job.progress.text};
        var words = {queued: EDeck.t("Waiting for the WebUI…"), running: EDeck.t("Generating: {text}", v),
            done: EDeck.t("Done: {text}", v), cancelled: EDeck.t("Cancelled: {text}", v), failed: EDeck.t("Failed: {text}", v)};
        $(".edeck-compare-progress-text").textContent = words[job.state] || job.progress.text;
        if (job.message && !ACTIVE[job.state]) {
            message(job.message, job.state === "done" ? "info" : "error");
        }
    }

    function imageUrl(job, tile) {
        return EDeck.host.base + "/compare/image?job=" + encodeURIComponent(job.id) + "&tile=" + tile;
    }

    function result(job) {
        $("form").hidden = true;
        var section = $(".edeck-compare-result");
        section.hidden = false;
        var grid = $(".edeck-compare-grid");
        grid.hidden = !job.grid;
        if (job.grid) {
            grid.src = imageUrl(job, "grid");
            grid.alt = EDeck.t("Comparison grid: {labels}", {labels: job.tiles.map(function (t) {
                return t.label;
            }).join(", ")});
        }
        var tiles = $(".edeck-compare-tiles");
        tiles.textContent = "";
        job.tiles.forEach(function (t) {
            var fig = h("figure", {class: "edeck-compare-tile", "data-tile": String(t.index), "data-label": t.label});
            if (t.image) {
                fig.appendChild(h("img", {src: imageUrl(job, t.index), alt: t.label, title: t.infotext || t.prompt}));
            }
            var caption = h("figcaption", {id: "embedding_deck_compare_tile_" + t.index,
                text: t.label + (t.status === "done" ? "" : " — " + EDeck.t(t.status))});
            caption.title = EDeck.t("Prompt: {p}\nNegative prompt: {n}", {p: t.prompt, n: t.negative_prompt});
            fig.appendChild(caption);
            if (t.path && t.image) {
                fig.appendChild(h("button", {type: "button", class: "edeck-button", "data-action": "compare-preview",
                    "data-tile": String(t.index), "aria-describedby": caption.id,
                    text: EDeck.t("Make preview")}));
            }
            tiles.appendChild(fig);
        });
        if (job.folder) {
            tiles.appendChild(h("p", {class: "edeck-hint", text: EDeck.t("Saved in {folder}", {folder: job.folder})}));
        }
    }

    function makePreview(button) {
        var tile = state.job.tiles[+button.dataset.tile];
        var entry = EDeck.deck.byPath.get(tile.path);
        if (entry && entry.preview && !window.confirm(EDeck.t("{name} already has a preview. Replace it with this image?", {name: tile.name}))) {
            return;
        }
        button.disabled = true;
        EDeck.api.request("POST", "/compare/preview", {job: state.job.id, tile: tile.index, path: tile.path}).then(function (res) {
            if (res.row) {
                EDeck.deck.updateEntry(res.row);
            }
            message(res.notice || EDeck.t("{name} has a new preview.", {name: tile.name}), "info");
            button.textContent = EDeck.t("Preview made");
        }).catch(function (err) {
            message(err.message);
            button.disabled = false;
        });
    }

    function buttons() {
        var running = !!(state.job && ACTIVE[state.job.state]);
        var finished = !!(state.job && !running);
        var cancel = $("[data-action=compare-cancel]");
        cancel.hidden = !running;
        cancel.disabled = !!(state.job && state.job.cancel_requested);
        var go = $("[data-action=compare-run]");
        go.hidden = running || finished;
        go.disabled = !state.paths.length;
    }

    function onClick(ev) {
        if (ev.target === panel) {
            close();
            return;
        }
        var action = ev.target.closest("[data-action]");
        var name = action && action.dataset.action;
        if (name === "compare-close") {
            close();
        } else if (name === "compare-run") {
            run();
        } else if (name === "compare-cancel" && state.job) {
            action.disabled = true;
            EDeck.api.request("POST", "/compare/cancel", {id: state.job.id}).catch(function (err) {
                message(err.message);
            });
        } else if (name === "compare-preview") {
            makePreview(action);
        }
    }

    function trapTab(ev) {
        if (ev.key !== "Tab") {
            return;
        }
        var items = Array.prototype.filter.call(panel.querySelectorAll("button, input, textarea, select"), function (el) {
            return !el.disabled && el.offsetParent !== null;
        });
        var active = EDeck.host.activeElement();
        if (ev.shiftKey && active === items[0]) {
            ev.preventDefault();
            items[items.length - 1].focus();
        } else if (!ev.shiftKey && active === items[items.length - 1]) {
            ev.preventDefault();
            items[0].focus();
        }
    }

    /** Show a finished (or running) comparison, e.g. an embedding's last one. */
    function showJob(job) {
        if (!panel) {
            build();
        }
        if (EDeck.modal && EDeck.modal.element() && !EDeck.modal.element().hidden) {
            EDeck.modal.close();
        }
        state.opener = EDeck.host.activeElement();
        state.opts = null;
        mode();
        state.paths = job.tiles.filter(function (t) {
            return t.path;
        }).map(function (t) {
            return t.path;
        }).filter(function (p, i, all) {
            return all.indexOf(p) === i;
        });
        chosen();
        message("");
        $("form").hidden = true;
        follow(job);
        show();
    }

    EDeck.layers.register({
        isOpen: function () {
            return !!panel && !panel.hidden;
        },
        close: close,
    }, true);
    EDeck.comparePanel = {open: open, close: close, showJob: showJob, lastInfotext: lastInfotext};
})();
