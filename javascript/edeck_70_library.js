/**
 * Embedding Deck — managing the library, its core: the write routes (rename, move, delete
 * to the trash, convert .pt/.bin to .safetensors), the grid updated in place from each
 * answer (search, sort and scroll stay), the toast and undo (its button and Ctrl+Z in the
 * grid). The server does the file work (/edeck/v1/rename, move, delete, convert); each
 * answer lists the grid rows that changed. EDeck.library shares these with the editor's
 * File section (edeck_71_manage.js) and the toolbar's Duplicates, Trash and Convert-all
 * (edeck_72_librarytools.js).
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.editorFill = EDeck.hooks.editorFill || [];
    var MAX_UNDO = 20;
    var CONVERTIBLE = {"pt-zip": true, "pt-legacy": true};
    var deck = null;
    var ui = {};
    // what the other library files share; they fill in the hooks they own
    var lib = (EDeck.library = {
        ui: ui,
        undoStack: [],
        deck: function () {
            return deck;
        },
        refreshTrash: function () {},
        clearFilters: function () {},
    });

    function h(tag, attrs, children) {
        var node = document.createElement(tag);
        Object.keys(attrs || {}).forEach(function (k) {
            if (k === "text") {
                node.textContent = attrs[k];
            } else {
                node.setAttribute(k, attrs[k]);
            }
        });
        (children || []).forEach(function (c) {
            node.appendChild(c);
        });
        return node;
    }

    function button(lib, text, title, extra) {
        var attrs = {type: "button", class: "edeck-button" + (extra ? " " + extra : ""), "data-lib": lib, text: text};
        if (title) {
            attrs.title = title;
        }
        return h("button", attrs);
    }

    function post(route, body) {
        return EDeck.api.request("POST", route.replace(/^\/edeck\/v1/, ""), body);
    }

    function baseName(path) {
        return path.slice(path.lastIndexOf("/") + 1);
    }

    function stem(path) {
        var name = baseName(path);
        var dot = name.lastIndexOf(".");
        return dot > 0 ? name.slice(0, dot) : name;
    }

    function stampOf(path, fallback) {
        var row = deck.byPath.get(path);
        return row && row.stamp ? row.stamp : fallback;
    }

    /** A readable .pt/.bin: what /convert turns into .safetensors. */
    function convertible(e) {
        return !!CONVERTIBLE[e.format] && !e.error;
    }

    function isTyping(target) {
        return !!target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
            target.tagName === "SELECT" || target.isContentEditable);
    }

    /** {old: new} from an answer's moved: [old, new] (one file) or {old: new} (a batch). */
    function movedMap(moved) {
        if (Array.isArray(moved)) {
            var one = {};
            if (moved[0] && moved[1]) {
                one[moved[0]] = moved[1];
            }
            return one;
        }
        return moved || {};
    }

    /** Apply a write route's answer to the grid: removed paths go, rows replace or join. */
    function applyChange(res) {
        var removed = new Set(res.removed || []);
        if (removed.size) {
            deck.entries = deck.entries.filter(function (e) {
                return !removed.has(e.path);
            });
            removed.forEach(function (p) {
                deck.byPath.delete(p);
            });
        }
        (res.rows || []).forEach(function (row) {
            var old = deck.byPath.get(row.path);
            if (old) {
                Object.keys(old).forEach(function (k) {
                    delete old[k];
                });
                Object.assign(old, row);
            } else {
                deck.entries.push(row);
                deck.byPath.set(row.path, row);
            }
        });
        if (res.folders) {
            deck.folders = res.folders;
        }
        deck.sortedCache = null;
        deck.apply(true);
        if (removed.size && EDeck.compare) {
            EDeck.compare.follow(movedMap(res.moved));
        }
        if (res.reload) {
            deck.followReload(res.reload);
        }
    }

    /** Move the focus to the card of path (clearing the search when it hides that card). */
    function focusPath(path, reveal) {
        var find = function () {
            return deck.visible.findIndex(function (e) {
                return e.path === path;
            });
        };
        var i = find();
        if (i === -1 && reveal && deck.byPath.has(path)) {
            lib.clearFilters();
            deck.state.text = "";
            deck.state.folder = "";
            deck.toolbar.changed("search");
            i = find();
        }
        if (i !== -1) {
            deck.grid.focusItem(i);
        } else if (deck.visible.length) {
            deck.grid.focusItem(Math.min(deck.grid.active, deck.visible.length - 1));
        }
    }

    // -- the toast and undo --------------------------------------------------------------
    function toast(text, undo, extra) {
        ui.toastText.textContent = text;
        ui.toastUndo.hidden = !undo;
        ui.toastExtra.textContent = "";
        if (extra) {
            ui.toastExtra.appendChild(extra);
        }
        ui.toast.hidden = false;
    }

    /** Keep what undoes an operation: one route call, or a list (undone last first). */
    function remember(undo, what) {
        if (undo && (!Array.isArray(undo) || undo.length)) {
            lib.undoStack.push({undo: undo, what: what});
            if (lib.undoStack.length > MAX_UNDO) {
                lib.undoStack.shift();
            }
        }
    }

    function undoLast() {
        var last = lib.undoStack.pop();
        if (!last) {
            toast(EDeck.t("Nothing to undo."), false);
            return Promise.resolve(null);
        }
        ui.toastUndo.disabled = true;
        var calls = Array.isArray(last.undo) ? last.undo.slice().reverse() : [last.undo];
        var res = null;
        var step = function (i) {
            if (i === calls.length) {
                return Promise.resolve(res);
            }
            return post(calls[i].route, calls[i].body).then(function (answer) {
                res = answer;
                applyChange(answer);
                return step(i + 1);
            });
        };
        return step(0).then(function (res) {
            var path = res.rows && res.rows[0] && res.rows[0].path;
            toast(EDeck.t("Undone: {what}", {what: last.what}), lib.undoStack.length > 0);
            if (path) {
                focusPath(path, false);
            }
            lib.refreshTrash();
        }).catch(function (err) {
            toast(EDeck.t("Could not undo: {error}", {error: EDeck.t(err.message)}), false);
            lib.refreshTrash();
        }).then(function () {
            ui.toastUndo.disabled = false;
        });
    }

    /**
     * Run one write route; on success close the editor, update the grid, offer undo and
     * focus the changed card. Failures show the server's sentence where the user acted.
     */
    function run(route, body, describe) {
        var modalOpen = EDeck.modal && EDeck.modal.element() && !EDeck.modal.element().hidden;
        setBusy(true);
        return post(route, body).then(function (res) {
            if (modalOpen) {
                EDeck.modal.close();
            }
            applyChange(res);
            var what = describe(res);
            remember(res.undo, what);
            var text = what + (res.notice ? " " + EDeck.t(res.notice) : "");
            toast(text, !!res.undo, res.extra);
            var row = res.rows && res.rows[0];
            focusPath(row ? row.path : "", false);
            lib.refreshTrash();
            return res;
        }).catch(function (err) {
            var text = EDeck.t(err.message);
            if (modalOpen && !EDeck.modal.element().hidden) {
                EDeck.modal.message(text);
            } else {
                deck.message(text);
            }
            return null;
        }).then(function (res) {
            setBusy(false);
            return res;
        });
    }

    function setBusy(busy) {
        if (ui.manage) {
            Array.prototype.forEach.call(ui.manage.querySelectorAll("button"), function (b) {
                b.disabled = busy;
            });
        }
    }

    // -- the operations ------------------------------------------------------------------
    function rename(path, name, stamp) {
        var old = deck.byPath.get(path);
        var oldName = old ? old.name : stem(path);
        return run("/rename", {path: path, name: name, stamp: stamp}, function (res) {
            var row = res.rows && res.rows[0];
            res.extra = row ? replaceOffer(oldName, row.name) : null;
            return EDeck.t("Renamed {old} to {new}.", {old: oldName, new: row ? row.name : name});
        });
    }

    function move(path, folder, stamp) {
        var name = (deck.byPath.get(path) || {}).name || stem(path);
        return run("/move", {path: path, folder: folder, stamp: stamp}, function () {
            return EDeck.t("Moved {name} to {folder}.", {name: name, folder: folder || EDeck.t("the top folder")});
        });
    }

    function remove(path, stamp) {
        var name = (deck.byPath.get(path) || {}).name || stem(path);
        return run("/delete", {path: path, stamp: stamp}, function () {
            return EDeck.t("Deleted {name}.", {name: name});
        });
    }

    function convert(path, stamp) {
        return run("/convert", {path: path, stamp: stamp}, function (res) {
            var row = res.rows && res.rows[0];
            return EDeck.t("Converted {old} to {new}.", {old: baseName(path), new: row ? baseName(row.path) : ""});
        });
    }

    /** A file the WebUI renamed to X.pt.corrupted gets its name back. */
    function restoreName(path, stamp) {
        return run("/restore-name", {path: path, stamp: stamp}, function (res) {
            var row = res.rows && res.rows[0];
            return EDeck.t("Restored the name {name}.", {name: row ? baseName(row.path) : baseName(path)});
        });
    }

    /** After a rename: a button that replaces the old name in the open prompt boxes. */
    function replaceOffer(oldName, newName) {
        if (!EDeck.caret || !EDeck.prompt || oldName === newName) {
            return null;
        }
        var boxes = [];
        ["txt2img", "img2img"].forEach(function (tab) {
            ["neg", "pos"].forEach(function (which) {
                var ta = EDeck.caret.box(tab, which);
                if (ta && EDeck.prompt.findAll(ta.value, oldName).length) {
                    boxes.push(ta);
                }
            });
        });
        if (!boxes.length) {
            return null;
        }
        var b = button("replace-name", EDeck.t("Replace {old} with {new} in the prompts", {old: oldName, new: newName}));
        b.addEventListener("click", function () {
            boxes.forEach(function (ta) {
                var text = ta.value;
                var found = EDeck.prompt.findAll(text, oldName);
                for (var i = found.length - 1; i >= 0; i--) {
                    var at = found[i].nameStart;
                    text = text.slice(0, at) + newName + text.slice(at + oldName.length);
                }
                EDeck.caret.applyEdit(ta, text, text.length, text.length);
            });
            b.remove();
        });
        return b;
    }

    function buildToast(root) {
        ui.toastText = h("span", {class: "edeck-toast-text"});
        ui.toastUndo = button("undo", EDeck.t("Undo"), EDeck.t("Undo the last file operation (Ctrl+Z in the grid)"));
        ui.toastExtra = h("span", {class: "edeck-toast-extra"});
        var dismiss = button("dismiss", "✕", EDeck.t("Dismiss"));
        dismiss.setAttribute("aria-label", EDeck.t("Dismiss"));
        ui.toast = h("div", {id: "embedding_deck_toast", class: "edeck-toast", role: "status", hidden: ""},
            [ui.toastText, ui.toastUndo, ui.toastExtra, dismiss]);
        ui.toastUndo.addEventListener("click", undoLast);
        dismiss.addEventListener("click", function () {
            ui.toast.hidden = true;
        });
        var message = root.querySelector("#embedding_deck_message");
        message.parentNode.insertBefore(ui.toast, message.nextSibling);
    }

    EDeck.hooks.cardClick.push(function (action, entry) {
        if (action === "collision" && entry.collides_with && entry.collides_with.length) {
            focusPath(entry.collides_with[0], true);
        }
    });
    EDeck.hooks.ready.push(function (d) {
        deck = d;
        buildToast(d.root);
        d.root.addEventListener("keydown", function (ev) {
            var key = (ev.key || "").toLowerCase();
            if (key !== "z" || !(ev.ctrlKey || ev.metaKey) || ev.shiftKey || ev.altKey ||
                isTyping(ev.composedPath()[0]) || !lib.undoStack.length) {
                return;
            }
            ev.preventDefault();
            undoLast();
        });
    });
    Object.assign(lib, {
        h: h,
        button: button,
        post: post,
        baseName: baseName,
        stem: stem,
        stampOf: stampOf,
        convertible: convertible,
        applyChange: applyChange,
        focusPath: focusPath,
        toast: toast,
        remember: remember,
        undo: undoLast,
        run: run,
        setBusy: setBusy,
        rename: rename,
        move: move,
        remove: remove,
        convert: convert,
        restoreName: restoreName,
        renamedByWebui: function (e) {
            return /\.(pt|bin|safetensors)\.corrupted$/i.test(e.path || "");
        },
    });
})();
