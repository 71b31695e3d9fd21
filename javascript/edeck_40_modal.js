/**
 * Embedding Deck — the metadata editor (#embedding_deck_modal): description, notes and the
 * other X.json fields, read-only facts, and the preview. Saves send only the fields the
 * user changed, with their values at opening, so the server can merge and spot conflicts.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var FIELDS = [
        ["description", "Description", "textarea", 3],
        ["notes", "Notes", "textarea", 4],
        ["activation text", "Activation text", "input"],
        ["preferred weight", "Preferred weight", "number"],
        ["default target", "Default target", "select", [["negative", "Negative prompt"], ["positive", "Positive prompt"]]],
        ["tags", "Tags (comma-separated)", "input"],
        ["sd version", "SD version", "select", [["", "Automatic (from the file)"], ["SD1", "SD1"], ["SD2", "SD2"], ["SDXL", "SDXL"]]],
    ];
    var modal = null;
    var current = null;
    var DRAFTS = "edeck:drafts";
    var MAX_DRAFTS = 50;

    /**
     * Unsaved edits, per file: closing the editor (Esc, ✕, Cancel, a click outside) keeps
     * what was typed, and reopening that file restores it, marked as a draft. In
     * localStorage, so a page reload keeps them too.
     */
    function drafts() {
        try {
            var all = JSON.parse(window.localStorage.getItem(DRAFTS) || "{}");
            return all && typeof all === "object" ? all : {};
        } catch (err) {
            return {};
        }
    }

    function storeDraft(path, values) {
        var all = drafts();
        delete all[path];
        if (values) {
            all[path] = {values: values, at: Date.now()};
        }
        var keys = Object.keys(all).sort(function (a, b) {
            return all[b].at - all[a].at;
        });
        keys.slice(MAX_DRAFTS).forEach(function (k) {
            delete all[k];
        });
        try {
            window.localStorage.setItem(DRAFTS, JSON.stringify(all));
        } catch (err) {
            // storage full or refused: the draft lives until the page closes at least
        }
    }

    function h(tag, attrs, children) {
        var el = document.createElement(tag);
        Object.keys(attrs || {}).forEach(function (k) {
            if (k === "text") {
                el.textContent = attrs[k];
            } else if (k === "title" || k === "placeholder" || k === "aria-label") {
                el.setAttribute(k, EDeck.t(attrs[k]));
            } else {
                el.setAttribute(k, attrs[k]);
            }
        });
        (children || []).forEach(function (c) {
            el.appendChild(c);
        });
        return el;
    }

    function field(spec) {
        var name = spec[0];
        var input;
        if (spec[2] === "textarea") {
            input = h("textarea", {name: name, rows: String(spec[3])});
        } else if (spec[2] === "select") {
            input = h("select", {name: name}, spec[3].map(function (o) {
                return h("option", {value: o[0], text: EDeck.t(o[1])});
            }));
        } else if (spec[2] === "number") {
            input = h("input", {name: name, type: "number", step: "0.05", min: "-10", max: "10", placeholder: "1"});
        } else {
            input = h("input", {name: name, type: "text"});
        }
        var children = [h("span", {text: EDeck.t(spec[1])}), input];
        if (name === "description") {
            children.push(h("span", {class: "edeck-hint edeck-source", hidden: ""}));
        }
        return h("label", {class: "edeck-field"}, children);
    }

    function build() {
        var previewButtons = h("div", {class: "edeck-preview-buttons"}, [
            h("button", {type: "button", class: "edeck-button", "data-action": "replace-preview", text: EDeck.t("Use selected result")}),
            h("label", {class: "edeck-button edeck-upload"}, [
                h("span", {text: EDeck.t("Upload…")}),
                h("input", {type: "file", "data-action": "upload-preview", accept: "image/png,image/jpeg,image/webp"}),
            ]),
            h("button", {type: "button", class: "edeck-button", "data-action": "delete-preview", text: EDeck.t("Delete preview")}),
        ]);
        var box = h("div", {class: "edeck-modal-box"}, [
            h("h2", {id: "embedding_deck_modal_title", class: "edeck-modal-title"}),
            h("div", {class: "edeck-modal-message", role: "alert", hidden: ""}),
            h("div", {class: "edeck-draft", role: "status", hidden: ""}, [
                h("span", {text: EDeck.t("Unsaved draft: your edits from last time, not saved yet.")}),
                h("button", {type: "button", class: "edeck-button", "data-action": "discard", text: EDeck.t("Discard")}),
            ]),
            h("div", {class: "edeck-modal-cols"}, [
                h("div", {class: "edeck-modal-side"}, [
                    h("div", {class: "edeck-drop", tabindex: "0", title: "Drop or paste an image here"}, [
                        h("img", {class: "edeck-modal-img", alt: ""}),
                        h("p", {class: "edeck-no-preview", text: EDeck.t("No preview yet: drop, paste or upload an image.")}),
                        h("p", {class: "edeck-error-text edeck-modal-error", hidden: ""}),
                    ]),
                    h("p", {class: "edeck-hint edeck-img-size", hidden: ""}),
                    previewButtons,
                    h("p", {class: "edeck-hint", text: EDeck.t("Drop or paste an image (PNG, JPEG, WebP) to use it as the preview.")}),
                    h("table", {class: "edeck-facts"}),
                    h("div", {class: "edeck-civitai"}, [
                        h("button", {type: "button", class: "edeck-button", "data-action": "civitai",
                            title: EDeck.t("Look this file up on Civitai by its SHA-256 (only the hash is sent)"),
                            text: EDeck.t("Find on Civitai")}),
                        h("button", {type: "button", class: "edeck-button", "data-action": "civitai-again", hidden: "",
                            text: EDeck.t("Look again")}),
                        h("button", {type: "button", class: "edeck-button", "data-action": "civitai-images", hidden: "",
                            text: EDeck.t("Choose another Civitai image")}),
                    ]),
                    h("div", {class: "edeck-civitai-images", role: "group", "aria-label": "Civitai images", hidden: ""}),
                ]),
                h("form", {class: "edeck-modal-form"}, FIELDS.map(field)),
            ]),
            h("div", {class: "edeck-modal-actions"}, [
                h("button", {type: "button", class: "edeck-button", "data-action": "cancel", text: EDeck.t("Close")}),
                h("button", {type: "button", class: "edeck-button edeck-primary", "data-action": "save", text: EDeck.t("Save")}),
            ]),
        ]);
        modal = h("div", {id: "embedding_deck_modal", class: "edeck-modal", role: "dialog", "aria-modal": "true",
            "aria-labelledby": "embedding_deck_modal_title", hidden: ""}, [box]);
        EDeck.shadow.appendChild(modal);
        modal.addEventListener("click", onClick);
        // on document: Tab must work even when focus fell onto a disabled button
        document.addEventListener("keydown", function (ev) {
            if (!modal.hidden) {
                onKey(ev);
            }
        }, true);
        document.addEventListener("focusin", function (ev) {
            if (!modal.hidden && !modal.contains(ev.composedPath()[0])) {
                var items = focusables();
                if (items.length) {
                    items[0].focus();
                }
            }
        });
        modal.addEventListener("change", function (ev) {
            if (ev.target.matches("[data-action=upload-preview]") && ev.target.files[0]) {
                EDeck.preview.upload(ev.target.files[0]);
                ev.target.value = "";
            }
        });
        EDeck.preview.bindDrop(modal.querySelector(".edeck-drop"), modal);
    }

    function message(text, kind) {
        var box = modal.querySelector(".edeck-modal-message");
        box.hidden = !text;
        box.textContent = text || "";
        box.dataset.kind = kind || "error";
    }

    /** The value the editor starts from: X.json's, or for the description its .txt. */
    function original(key) {
        var v = current.user[key];
        if (key === "description" && v === undefined && current.description_source) {
            v = current.row.description;
        }
        if (key === "tags") {
            return Array.isArray(v) ? v.join(", ") : "";
        }
        if (key === "default target") {
            return v === "positive" ? "positive" : "negative";
        }
        return v === undefined || v === null ? "" : String(v);
    }

    function fill() {
        var e = current.entry;
        modal.querySelector(".edeck-modal-title").textContent = e.name;
        var c = e.metadata && e.metadata.civitai;
        modal.querySelector("[data-action=civitai-images]").hidden = !(c && (c.model || c.version));
        var draft = drafts()[e.path];
        FIELDS.forEach(function (spec) {
            var v = draft && typeof draft.values[spec[0]] === "string" ? draft.values[spec[0]] : original(spec[0]);
            modal.querySelector("[name='" + spec[0] + "']").value = v;
        });
        modal.querySelector(".edeck-draft").hidden = !(draft && Object.keys(changes()).length);
        var source = modal.querySelector(".edeck-source");
        source.hidden = !current.description_source;
        source.textContent = current.description_source ? EDeck.t(
            "From {file}. A change is saved to {json}, which the WebUI then reads instead.",
            {file: current.description_source, json: current.json_file}) : "";
        var broken = modal.querySelector(".edeck-modal-error");
        broken.hidden = !e.error;
        broken.textContent = e.error ? EDeck.t("This file cannot be used: {error}", {error: EDeck.t(e.error)}) : "";
        facts();
        EDeck.preview.show(current.row);
        // other parts add their sections (edeck_71_manage: rename, move, convert, delete)
        (EDeck.hooks.editorFill || []).forEach(function (fn) {
            fn(modal, current);
        });
        var gallery = EDeck.preview.galleryAvailable();
        var replace = modal.querySelector("[data-action=replace-preview]");
        replace.disabled = current.standalone || !gallery;
        replace.title = current.standalone ?
            EDeck.t("Only inside the WebUI: uses the image selected in the target tab's results") :
            gallery ? EDeck.t("Use the image selected in the {tab} results", {tab: EDeck.deck.state.target}) :
                EDeck.t("No result image yet");
        var notes = [current.json_error, current.preview_note].filter(Boolean).map(function (n) {
            return EDeck.t(n);
        }).join(" ");
        message(notes, "info");
    }

    /** What X.civitai.info says: model — version by creator, base model (⚠ when it
     * disagrees with the file's own width), trained words. */
    function civitaiRows(c, arch) {
        if (!c || !(c.model || c.version)) {
            return [];
        }
        var rows = [["Civitai", (c.model || "?") + " — " + (c.version || "?") + (c.creator ? " (" + c.creator + ")" : "")]];
        if (c.base_model) {
            var says = c.sd_version;
            var clash = says && arch !== "unknown" && says !== arch;
            rows.push(["Base model", c.base_model + (clash ? " ⚠ " + EDeck.t("the file itself is {arch}", {arch: arch}) : "")]);
        }
        if (c.newer) {
            rows.push(["Newer version", EDeck.t("Newer version available: {name}", {name: c.newer})]);
        }
        if (c.trained_words && c.trained_words.length) {
            rows.push(["Trained words", c.trained_words.join(", ")]);
        }
        return rows;
    }

    /** The model's page on the configured Civitai (only an http(s) base, never a script URL). */
    function civitaiLink(c) {
        var base = String((EDeck.deck && EDeck.deck.settings.edeck_civitai_url) || "https://civitai.com").replace(/\/+$/, "");
        if (!/^https?:\/\//.test(base) || typeof c.model_id !== "number") {
            return null;
        }
        var href = base + "/models/" + c.model_id + (typeof c.version_id === "number" ? "?modelVersionId=" + c.version_id : "");
        return h("a", {href: href, target: "_blank", rel: "noopener noreferrer", class: "edeck-civitai-link",
            text: EDeck.t("Open on Civitai")});
    }

    /** A trained word's button: a click inserts it where a card click would put the name. */
    function wordButton(word) {
        var b = h("button", {type: "button", class: "edeck-button edeck-word", text: word,
            title: "Insert into the prompt"});
        b.addEventListener("click", function () {
            var deck = EDeck.deck;
            var which = current.row.target === "positive" ? "pos" : "neg";
            var ta = EDeck.caret.box(deck.drawerTab || deck.state.target, which);
            if (ta) {
                var r = EDeck.prompt.toggle(ta.value, null, word, 1, ", ");
                EDeck.caret.applyEdit(ta, r.text, r.start, r.end);
            }
        });
        return b;
    }

    function facts() {
        var e = current.entry;
        var F = EDeck.format;
        var rows = [
            ["File", e.path],
            ["Size", F.size(e.size)],
            ["Format", e.format],
            ["Architecture", e.arch + (e.dim ? " " + EDeck.t("({n} wide)", {n: e.dim}) : "")],
            ["Vectors", e.vectors === null ? "" : String(e.vectors)],
            ["Step", e.step === null ? "" : String(e.step)],
            ["Trained on", e.checkpoint || e.checkpoint_hash || ""],
            ["SHA-256", current.sha256 ? current.sha256.slice(0, 12) : ""],
            ["Created", (e.created || "").replace("T", " ") +
                (e.created_clock === "birth" ? "" : " " + EDeck.t("(no birth time: modification time)"))],
            ["Modified", (e.modified || "").replace("T", " ")],
            ["Metadata file", current.json_file],
        ];
        if (e.error) {
            rows.unshift(["Problem", EDeck.t(e.error)]);
        }
        rows = rows.filter(function (r) {
            return r[1] || r[0] === "SHA-256";  // nothing to say: no row (Step, Trained on…)
        });
        civitaiRows(e.metadata && e.metadata.civitai, e.arch).forEach(function (r) {
            rows.push(r);
        });
        if (e.collides_with && e.collides_with.length) {
            rows.push(["Same name as", e.collides_with.join(", ") + " — " +
                EDeck.t(e.collision_winner ? "The WebUI currently keeps this file." : "The WebUI currently keeps the other file.")]);
        }
        (current.row.warnings || []).forEach(function (w) {
            rows.push(["Warning", EDeck.t(w)]);
        });
        (current.row.other_hosts || []).forEach(function (w) {
            rows.push(["Other WebUIs", EDeck.t(w)]);  // not about the host the user runs
        });
        var table = modal.querySelector(".edeck-facts");
        table.textContent = "";
        rows.forEach(function (r) {
            var value = h("td", {"data-fact": r[0], text: r[1]});
            var c = e.metadata && e.metadata.civitai;
            if (r[0] === "Civitai" && civitaiLink(c)) {
                value.appendChild(document.createTextNode(" "));
                value.appendChild(civitaiLink(c));
            }
            if (r[0] === "Trained words") {
                value.textContent = "";
                c.trained_words.forEach(function (w) {
                    value.appendChild(wordButton(w));
                });
            }
            if (r[0] === "SHA-256" && !current.sha256) {
                value.appendChild(h("button", {type: "button", class: "edeck-button", "data-action": "hash", text: EDeck.t("Compute")}));
            }
            table.appendChild(h("tr", {}, [h("th", {text: EDeck.t(r[0])}), value]));
        });
    }

    function changes() {
        var out = {};
        FIELDS.forEach(function (spec) {
            var key = spec[0];
            var value = modal.querySelector("[name='" + key + "']").value;
            if (value === original(key)) {
                return;
            }
            var to = value;
            if (key === "tags") {
                to = value.split(",").map(function (t) {
                    return t.trim();
                }).filter(Boolean);
            } else if (key === "preferred weight") {
                to = value === "" ? null : parseFloat(value);
            }
            out[key] = {from: current.user[key] === undefined ? null : current.user[key], to: to};
        });
        return out;
    }

    function save() {
        var diff = changes();
        if (!Object.keys(diff).length) {
            close();
            return;
        }
        var button = modal.querySelector("[data-action=save]");
        button.disabled = true;
        EDeck.api.saveMeta(current.entry.path, current.stamp, diff).then(function (res) {
            if (res.row) {
                EDeck.deck.updateEntry(res.row);
            }
            EDeck.deck.message(res.notice ? EDeck.t(res.notice) :
                EDeck.t("Saved {name}.", {name: current.entry.name}), "info");
            storeDraft(current.entry.path, null);
            close();
        }).catch(function (err) {
            message(EDeck.t(err.message));
        }).then(function () {
            button.disabled = false;
        });
    }

    /**
     * Find on Civitai: the server looks the hash up and writes what it found; the editor
     * then shows the filled fields (reloaded, unless the user has unsaved edits).
     */
    function findOnCivitai(button, again) {
        var path = current.entry.path;
        button.disabled = true;
        message(EDeck.t("Asking Civitai…"), "info");
        EDeck.api.request("POST", "/civitai/lookup", {path: path, again: again}).then(function (res) {
            if (res.row) {
                EDeck.deck.updateEntry(res.row);
            }
            var text = (res.messages || [res.message]).map(function (m) {
                return EDeck.t(m);
            }).join(" ");
            var stay = !current || current.entry.path !== path || Object.keys(changes()).length;
            var shown = stay || res.status !== "found" ? Promise.resolve() : open(current.entry);
            return shown.then(function () {
                message(text, res.status === "found" ? "info" : "error");
                modal.querySelector("[data-action=civitai-again]").hidden = res.status !== "missing";
            });
        }).catch(function (err) {
            message(EDeck.t(err.message));
        }).then(function () {
            button.disabled = false;
        });
    }

    /** The version's images (within the NSFW setting) to pick the preview from. */
    function civitaiImages(button) {
        var path = current.entry.path;
        var strip = modal.querySelector(".edeck-civitai-images");
        button.disabled = true;
        EDeck.api.request("GET", "/civitai/images?path=" + encodeURIComponent(path)).then(function (res) {
            strip.textContent = "";
            res.images.forEach(function (im) {
                var img = h("img", {src: im.url, alt: "", loading: "lazy", referrerpolicy: "no-referrer"});
                strip.appendChild(h("button", {type: "button", class: "edeck-civitai-pick" + (im.current ? " edeck-current" : ""),
                    "data-action": "civitai-pick", "data-index": String(im.index), "aria-pressed": String(!!im.current),
                    "aria-label": EDeck.t("Civitai image {n}", {n: im.index + 1})}, [img]));
            });
            strip.hidden = !res.images.length;
            if (!res.images.length) {
                message(EDeck.t("No preview image within the NSFW setting."), "info");
            }
        }).catch(function (err) {
            message(EDeck.t(err.message));
        }).then(function () {
            button.disabled = false;
        });
    }

    function pickImage(button) {
        var path = current.entry.path;
        button.disabled = true;
        EDeck.api.request("POST", "/civitai/preview", {path: path, index: +button.dataset.index}).then(function (res) {
            if (res.row) {
                EDeck.deck.updateEntry(res.row);
                current.row = res.row;
                EDeck.preview.show(res.row);
            }
            modal.querySelectorAll(".edeck-civitai-pick").forEach(function (b) {
                b.classList.toggle("edeck-current", b === button);
                b.setAttribute("aria-pressed", String(b === button));
            });
            message(EDeck.t("Saved a preview."), "info");
        }).catch(function (err) {
            message(EDeck.t(err.message));
        }).then(function () {
            button.disabled = false;
        });
    }

    function open(entry) {
        if (!modal) {
            build();
        }
        modal.querySelector("[data-action=civitai-again]").hidden = true;
        modal.querySelector(".edeck-civitai-images").hidden = true;
        return EDeck.api.meta(entry.path).then(function (meta) {
            current = meta;
            current.opener = EDeck.host.activeElement();
            fill();
            modal.hidden = false;
            modal.querySelector("textarea[name=description]").focus();
        }).catch(function (err) {
            EDeck.deck.refresh(err.message);
        });
    }

    /** The fields' values, when they differ from the file's. */
    function draftValues() {
        if (!Object.keys(changes()).length) {
            return null;
        }
        var values = {};
        FIELDS.forEach(function (spec) {
            values[spec[0]] = modal.querySelector("[name='" + spec[0] + "']").value;
        });
        return values;
    }

    function discard() {
        storeDraft(current.entry.path, null);
        FIELDS.forEach(function (spec) {
            modal.querySelector("[name='" + spec[0] + "']").value = original(spec[0]);
        });
        modal.querySelector(".edeck-draft").hidden = true;
        modal.querySelector("textarea[name=description]").focus();
    }

    function close() {
        if (!modal || modal.hidden) {
            return;
        }
        if (current) {
            storeDraft(current.entry.path, draftValues());
        }
        modal.hidden = true;
        var opener = current && current.opener;
        current = null;
        if (opener && opener.focus) {
            opener.focus({preventScroll: true});
        }
    }

    function onClick(ev) {
        if (ev.target === modal) {
            close();
            return;
        }
        var action = ev.target.closest("[data-action]");
        var name = action && action.dataset.action;
        if (name === "cancel") {
            close();
        } else if (name === "save") {
            save();
        } else if (name === "discard") {
            discard();
        } else if (name === "delete-preview") {
            EDeck.preview.remove();
        } else if (name === "replace-preview") {
            EDeck.preview.fromGallery();
        } else if (name === "civitai-images") {
            civitaiImages(action);
        } else if (name === "civitai-pick") {
            pickImage(action);
        } else if (name === "civitai" || name === "civitai-again") {
            findOnCivitai(action, name === "civitai-again");
        } else if (name === "hash") {
            action.disabled = true;
            EDeck.api.hash(current.entry.path).then(function (res) {
                current.sha256 = res.sha256;
                facts();
            }).catch(function (err) {
                message(err.message);
            });
        }
    }

    function focusables() {
        return Array.prototype.filter.call(
            modal.querySelectorAll("button, input, textarea, select, [tabindex='0']"),
            function (el) {
                return !el.disabled && el.offsetParent !== null;
            });
    }

    function onKey(ev) {
        // Esc is EDeck.layers' (it must not reach the WebUI's Esc → Interrupt)
        if (ev.key === "Tab") {
            var items = focusables();
            var first = items[0];
            var last = items[items.length - 1];
            var active = EDeck.host.activeElement();
            var inside = modal.contains(active);
            if (ev.shiftKey && (active === first || !inside)) {
                ev.preventDefault();
                last.focus();
            } else if (!ev.shiftKey && (active === last || !inside)) {
                ev.preventDefault();
                first.focus();
            }
        }
    }

    EDeck.layers.register({
        isOpen: function () {
            return !!modal && !modal.hidden;
        },
        close: close,
    }, true);
    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.cardClick.push(function (action, entry) {
        if (action === "edit") {
            open(entry);
        }
    });
    EDeck.modal = {
        open: open,
        close: close,
        message: function (t, k) {
            message(t, k);
        },
        current: function () {
            return current;
        },
        element: function () {
            return modal;
        },
    };
})();
