/**
 * Embedding Deck — actions on the whole selection: "Actions ▾" in the selection bar (move
 * to a folder, add/remove tags, default target, preferred weight, favourites, convert,
 * delete to the trash), one confirmation dialog that names what will change, progress
 * with Cancel in the toast, and one Undo for the batch. The server does each file as the
 * single operation would (/edeck/v1/bulk, embedding_deck_app/bulk_ops.py); the page sends
 * the selection in chunks, so progress moves and Cancel stops between two chunks. The
 * selection follows moved files (EDeck.compare.follow, from every write's answer).
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var CHUNK = 20;
    var SHOW_NAMES = 6;
    var deck = null;
    var lib = null;
    var button = null;
    var dialog = null;
    var busy = false;

    function always() {
        return true;
    }

    function readable(e) {
        return !e.error;
    }

    function tagList(text) {
        return String(text || "").split(",").map(function (t) {
            return t.trim();
        }).filter(Boolean);
    }

    // label: the menu item; verb: the dialog's button; field: what the dialog asks;
    // body(entry, value): one item of /bulk; done: the toast after it
    var ACTIONS = [
        {name: "move", label: "Move to a folder…", verb: "Move", field: "folder", usable: always, action: "move",
            body: function (e, v) {
                return {path: e.path, stamp: e.stamp, folder: v};
            },
            done: "Moved {n} embeddings to {value}."},
        {name: "add-tags", label: "Add tags…", verb: "Add tags", field: "tags", usable: readable, action: "edit",
            body: function (e, v) {
                return {path: e.path, add_tags: tagList(v)};
            },
            done: "Added the tags {value} to {n} embeddings."},
        {name: "remove-tags", label: "Remove tags…", verb: "Remove tags", field: "tags", usable: readable, action: "edit",
            body: function (e, v) {
                return {path: e.path, remove_tags: tagList(v)};
            },
            done: "Removed the tags {value} from {n} embeddings."},
        {name: "target", label: "Default target…", verb: "Set", field: "target", usable: readable, action: "edit",
            body: function (e, v) {
                return {path: e.path, set: {"default target": v}};
            },
            done: "The default target of {n} embeddings is now {value}."},
        {name: "weight", label: "Preferred weight…", verb: "Set", field: "weight", usable: readable, action: "edit",
            body: function (e, v) {
                return {path: e.path, set: {"preferred weight": Number(v)}};
            },
            done: "The preferred weight of {n} embeddings is now {value}."},
        {name: "fav-on", label: "Add to favourites", verb: "Add to favourites", usable: readable, action: "favourite",
            body: function (e) {
                return {path: e.path, on: true};
            },
            done: "Added {n} embeddings to the favourites."},
        {name: "fav-off", label: "Remove from favourites", verb: "Remove from favourites", usable: readable,
            action: "favourite",
            body: function (e) {
                return {path: e.path, on: false};
            },
            done: "Removed {n} embeddings from the favourites."},
        {name: "convert", label: "Convert to .safetensors", verb: "Convert", usable: function (e) {
            return lib.convertible(e);
        }, action: "convert",
            body: function (e) {
                return {path: e.path, stamp: e.stamp};
            },
            done: "Converted {n} embeddings to .safetensors; the originals are in the trash."},
        {name: "delete", label: "Delete to the trash", verb: "Delete", usable: always, action: "delete", danger: true,
            body: function (e) {
                return {path: e.path, stamp: e.stamp};
            },
            done: "Deleted {n} embeddings (they are in the trash)."},
    ];

    function rows() {
        return EDeck.compare.selected().map(function (p) {
            return deck.byPath.get(p);
        }).filter(Boolean);
    }

    // -- the menu --------------------------------------------------------------------------
    function openMenu() {
        if (EDeck.menu.isOpen() || EDeck.menu.justClosedFrom(button)) {
            EDeck.menu.close();
            return;
        }
        var chosen = rows();
        var list = ACTIONS.map(function (act) {
            var n = chosen.filter(act.usable).length;
            return {
                name: "bulk-" + act.name,
                label: EDeck.t(act.label),
                disabled: !n || busy,
                note: n ? "" : EDeck.t("None of the selected can."),
                run: function () {
                    ask(act);
                },
            };
        });
        button.setAttribute("aria-expanded", "true");
        EDeck.menu.open(deck.root, {below: button.getBoundingClientRect()}, list,
            EDeck.t("Actions on the selection"), button, function () {
                button.setAttribute("aria-expanded", "false");
            });
    }

    // -- the confirmation -------------------------------------------------------------------
    function field(act, chosen) {
        var h = lib.h;
        if (act.field === "folder") {
            var select = h("select", {name: "value"});
            [""].concat(deck.folders || []).forEach(function (f) {
                select.appendChild(h("option", {value: f, text: f || EDeck.t("the top folder")}));
            });
            return h("label", {class: "edeck-field"}, [h("span", {text: EDeck.t("Folder")}), select]);
        }
        if (act.field === "tags") {
            var input = h("input", {name: "value", type: "text", autocomplete: "off", list: "embedding_deck_bulk_tags",
                placeholder: EDeck.t("Tags, separated by commas")});
            var known = h("datalist", {id: "embedding_deck_bulk_tags"});
            var seen = new Set();
            chosen.forEach(function (e) {
                (e.tags || []).forEach(function (t) {
                    if (!seen.has(t)) {
                        seen.add(t);
                        known.appendChild(h("option", {value: t}));
                    }
                });
            });
            return h("label", {class: "edeck-field"}, [h("span", {text: EDeck.t("Tags")}), input, known]);
        }
        if (act.field === "target") {
            var target = h("select", {name: "value"}, [
                h("option", {value: "negative", text: EDeck.t("negative")}),
                h("option", {value: "positive", text: EDeck.t("positive")}),
            ]);
            return h("label", {class: "edeck-field"}, [h("span", {text: EDeck.t("Default target")}), target]);
        }
        if (act.field === "weight") {
            var weight = h("input", {name: "value", type: "number", step: "0.05", min: "-10", max: "10", value: "1"});
            return h("label", {class: "edeck-field"}, [h("span", {text: EDeck.t("Preferred weight")}), weight]);
        }
        return null;
    }

    function names(chosen) {
        var shown = chosen.slice(0, SHOW_NAMES).map(function (e) {
            return e.name;
        }).join(", ");
        var more = chosen.length - SHOW_NAMES;
        return more > 0 ? EDeck.t("{names} and {n} more", {names: shown, n: more}) : shown;
    }

    function ask(act) {
        var all = rows();
        var chosen = all.filter(act.usable);
        var h = lib.h;
        close();
        var input = field(act, chosen);
        var left = all.length - chosen.length;
        var yes = h("button", {type: "submit", class: "edeck-button " + (act.danger ? "edeck-danger" : "edeck-primary"),
            "data-action": "bulk-yes", text: EDeck.t(act.verb)});
        var no = h("button", {type: "button", class: "edeck-button", "data-action": "bulk-no", text: EDeck.t("Cancel")});
        var form = h("form", {class: "edeck-modal-form"}, [
            h("h2", {class: "edeck-modal-title", id: "embedding_deck_bulk_title",
                text: EDeck.t("{action}: {n} embeddings", {action: EDeck.t(act.label).replace(/…$/, ""), n: chosen.length})}),
            h("p", {class: "edeck-bulk-names", text: names(chosen)}),
        ]);
        if (left) {
            form.appendChild(h("p", {class: "edeck-bulk-left",
                text: EDeck.t("{n} of the selected cannot and are left as they are.", {n: left})}));
        }
        if (act.name === "delete") {
            form.appendChild(h("p", {text: EDeck.t("Each file goes to the trash with its sidecars; Undo or the Trash panel puts it back.")}));
        }
        if (input) {
            form.appendChild(input);
        }
        var message = h("p", {class: "edeck-modal-message", role: "alert", hidden: ""});
        form.appendChild(message);
        form.appendChild(h("div", {class: "edeck-modal-actions"}, [no, yes]));
        var box = h("div", {class: "edeck-modal-box edeck-bulk-box"}, [form]);
        dialog = h("div", {id: "embedding_deck_bulk_dialog", class: "edeck-modal edeck-bulk", role: "dialog",
            "aria-modal": "true", "aria-labelledby": "embedding_deck_bulk_title"}, [box]);
        EDeck.shadow.appendChild(dialog);
        no.addEventListener("click", close);
        dialog.addEventListener("click", function (ev) {
            if (ev.target === dialog) {
                close();
            }
        });
        dialog.addEventListener("keydown", trapTab);
        form.addEventListener("submit", function (ev) {
            ev.preventDefault();
            var value = input ? form.querySelector("[name=value]").value : "";
            var problem = check(act, value);
            if (problem) {
                message.textContent = problem;
                message.hidden = false;
                return;
            }
            close();
            run(act, chosen, value);
        });
        var first = form.querySelector("[name=value]") || yes;
        first.focus();
    }

    function check(act, value) {
        if (act.field === "tags" && !tagList(value).length) {
            return EDeck.t("Write at least one tag.");
        }
        if (act.field === "weight" && (value === "" || isNaN(Number(value)) || Math.abs(Number(value)) > 10)) {
            return EDeck.t("The preferred weight must be between -10 and 10.");
        }
        return "";
    }

    function trapTab(ev) {
        if (ev.key !== "Tab") {
            return;
        }
        var items = Array.prototype.filter.call(dialog.querySelectorAll("button, input, select"), function (el) {
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

    function isOpen() {
        return !!(dialog && dialog.isConnected);
    }

    function close() {
        if (!isOpen()) {
            return;
        }
        dialog.remove();
        dialog = null;
        if (button && !button.hidden) {
            button.focus({preventScroll: true});
        }
    }

    // -- the batch --------------------------------------------------------------------------
    function shownValue(act, value) {
        if (act.field === "folder") {
            return value || EDeck.t("the top folder");
        }
        if (act.field === "target") {
            return EDeck.t(value);
        }
        return act.field === "tags" ? tagList(value).join(", ") : value;
    }

    /** Send the items in chunks; one Undo for all that was done. */
    function run(act, chosen, value) {
        var items = chosen.map(function (e) {
            return act.body(e, value);
        });
        var state = {undos: [], failed: [], done: 0, cancelled: false};
        var cancel = lib.button("bulk-cancel", EDeck.t("Cancel"));
        cancel.addEventListener("click", function () {
            state.cancelled = true;
            cancel.disabled = true;
        });
        setBusy(true);
        var step = function (i) {
            if (i >= items.length || state.cancelled) {
                return Promise.resolve();
            }
            lib.toast(EDeck.t("Working: {i} of {n}…", {i: Math.min(i + CHUNK, items.length), n: items.length}), false, cancel);
            var chunk = items.slice(i, i + CHUNK);
            return lib.post("/bulk", {action: act.action, items: chunk}).then(function (res) {
                lib.applyChange(res);
                if (res.undo) {
                    state.undos.push(res.undo);
                }
                state.done += res.done;
                state.failed = state.failed.concat(res.failed);
            }, function (err) {
                chunk.forEach(function (item) {
                    state.failed.push({path: item.path, error: err.message});
                });
            }).then(function () {
                return step(i + CHUNK);
            });
        };
        return step(0).then(function () {
            finish(act, value, state, items.length);
        }).then(function () {
            setBusy(false);
        });
    }

    function finish(act, value, state, total) {
        var what = EDeck.t(act.done, {n: state.done, value: shownValue(act, value)});
        lib.remember(state.undos, what);
        var text = what;
        if (state.cancelled) {
            text += " " + EDeck.t("Cancelled: {n} were not done.", {n: total - state.done - state.failed.length});
        }
        var extra = null;
        if (state.failed.length) {
            text += " " + EDeck.t("{n} could not be done:", {n: state.failed.length});
            extra = lib.h("ul", {class: "edeck-bulk-failed"}, state.failed.slice(0, 10).map(function (f) {
                return lib.h("li", {text: lib.baseName(f.path) + ": " + EDeck.t(f.error)});
            }));
        }
        lib.toast(text, state.undos.length > 0, extra);
        lib.refreshTrash();
    }

    function setBusy(on) {
        busy = on;
        var had = EDeck.host.activeElement() === button;
        button.disabled = on;
        var now = EDeck.host.activeElement();
        // the button had the focus when the dialog closed; disabled, it lost it to the page
        if (!on && !button.hidden && (had || !now || now === document.body)) {
            button.focus({preventScroll: true});
        }
    }

    function ready(d) {
        deck = d;
        lib = EDeck.library;
        var bar = d.root.querySelector("#embedding_deck_selbar");
        button = lib.h("button", {type: "button", id: "embedding_deck_bulk", class: "edeck-button",
            "aria-haspopup": "menu", "aria-expanded": "false", hidden: "", text: EDeck.t("Actions ▾"),
            title: EDeck.t("Move, tag, favourite, convert or delete every selected embedding")});
        button.addEventListener("click", openMenu);
        bar.insertBefore(button, bar.querySelector(".edeck-selcount"));
        EDeck.layers.register({isOpen: isOpen, close: close}, true);
    }

    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.selection = EDeck.hooks.selection || [];
    EDeck.hooks.ready.push(ready);
    EDeck.hooks.selection.push(function (paths) {
        if (button) {
            button.hidden = !paths.length;
        }
    });
    EDeck.bulk = {actions: ACTIONS, isOpen: isOpen};
})();
