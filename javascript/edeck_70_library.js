/**
 * Embedding Deck — managing the library: rename, move (editor or drag onto a folder of the
 * tree), delete to the trash, convert .pt/.bin to .safetensors (one file, or every file a
 * WebUI refuses), undo (toast and Ctrl+Z in the grid), the Trash panel and the Duplicates
 * filter. The server does the file work
 * (/edeck/v1/rename, move, delete, convert, trash, duplicates); each answer lists the grid
 * rows that changed, and the grid is updated in place: search, sort and scroll stay.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.editorFill = EDeck.hooks.editorFill || [];
    var CONVERTIBLE = {"pt-zip": true, "pt-legacy": true};
    var DRAG_TYPE = "application/x-edeck-path";
    var MAX_UNDO = 20;
    var deck = null;
    var undoStack = [];
    var dupesOnly = false;
    var flagged = [];
    var flaggedFrom = null;
    var ui = {};

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

    function isTyping(target) {
        return !!target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
            target.tagName === "SELECT" || target.isContentEditable);
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
            dupesOnly = false;
            showDupesButton();
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
            undoStack.push({undo: undo, what: what});
            if (undoStack.length > MAX_UNDO) {
                undoStack.shift();
            }
        }
    }

    function undoLast() {
        var last = undoStack.pop();
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
            toast(EDeck.t("Undone: {what}", {what: last.what}), undoStack.length > 0);
            if (path) {
                focusPath(path, false);
            }
            refreshTrash();
        }).catch(function (err) {
            toast(EDeck.t("Could not undo: {error}", {error: EDeck.t(err.message)}), false);
            refreshTrash();
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
            refreshTrash();
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

    // -- every flagged file at once ------------------------------------------------------
    /** Files a WebUI refuses (this one, or another in the editor's facts) that converting fixes. */
    function isFlagged(e) {
        return !!CONVERTIBLE[e.format] && !e.error && !!(e.refused || (e.other_hosts || []).length);
    }

    function countFlagged(list) {
        if (list === flaggedFrom || !ui.convertAll) {
            return;
        }
        flaggedFrom = list;
        flagged = deck.entries.filter(isFlagged);
        ui.convertAll.hidden = !flagged.length;
        ui.convertAll.textContent = EDeck.t("Convert {n} refused…", {n: flagged.length});
    }

    function askConvertAll() {
        var yes = button("convert-all-yes", EDeck.t("Convert"), "", "edeck-primary");
        var no = button("convert-all-no", EDeck.t("Keep them"));
        var group = h("span", {class: "edeck-confirm", role: "group"}, [yes, no]);
        toast(EDeck.t(flagged.length === 1 ?
            "Convert {n} file that a WebUI refuses to .safetensors? The original goes to the trash." :
            "Convert {n} files that a WebUI refuses to .safetensors? The originals go to the trash.",
            {n: flagged.length}), false, group);
        yes.addEventListener("click", function () {
            group.remove();
            convertAll();
        });
        no.addEventListener("click", function () {
            ui.toast.hidden = true;
            ui.convertAll.focus();
        });
        yes.focus();
    }

    /** Convert the flagged files one by one; one undo puts them all back. */
    function convertAll() {
        var todo = flagged.map(function (e) {
            return {path: e.path, stamp: e.stamp};
        });
        var undos = [];
        var failed = [];
        setBusy(true);
        ui.convertAll.disabled = true;
        var step = function (i) {
            if (i === todo.length) {
                return Promise.resolve();
            }
            toast(EDeck.t("Converting {i} of {n}…", {i: i + 1, n: todo.length}), false);
            return post("/convert", todo[i]).then(function (res) {
                applyChange(res);
                if (res.undo) {
                    undos.push(res.undo);
                }
            }, function (err) {
                failed.push(baseName(todo[i].path) + ": " + EDeck.t(err.message));
            }).then(function () {
                return step(i + 1);
            });
        };
        return step(0).then(function () {
            var what = EDeck.t(undos.length === 1 ? "Converted {n} file to .safetensors." :
                "Converted {n} files to .safetensors.", {n: undos.length});
            remember(undos, what);
            toast(what + (failed.length ? " " + EDeck.t("Not converted: {list}", {list: failed.join("; ")}) : ""),
                undos.length > 0);
            refreshTrash();
            setBusy(false);
            ui.convertAll.disabled = false;
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

    // -- the editor's file section -------------------------------------------------------
    function buildManage(modal) {
        var nameInput = h("input", {type: "text", name: "edeck-file-name", spellcheck: "false", autocomplete: "off"});
        var folder = h("select", {name: "edeck-file-folder"});
        var section = h("section", {class: "edeck-manage", "aria-labelledby": "embedding_deck_manage_title"}, [
            h("h3", {id: "embedding_deck_manage_title", class: "edeck-manage-title", text: EDeck.t("File")}),
            h("div", {class: "edeck-manage-row"}, [
                h("label", {class: "edeck-field"}, [h("span", {text: EDeck.t("Name (what you type in prompts)")}), nameInput]),
                button("rename", EDeck.t("Rename")),
            ]),
            h("p", {class: "edeck-hint edeck-rename-note", text: EDeck.t(
                "The name is the prompt token: prompts and saved styles that still use the old name stop working after a rename. The file's sidecars (preview, .json, .txt, .civitai.info) are renamed with it.")}),
            h("p", {class: "edeck-hint edeck-internal-name", hidden: ""}),
            h("div", {class: "edeck-manage-row"}, [
                h("label", {class: "edeck-field"}, [h("span", {text: EDeck.t("Folder")}), folder]),
                button("move", EDeck.t("Move to…"), EDeck.t("Move the file and its sidecars to the chosen folder")),
            ]),
            h("div", {class: "edeck-manage-row edeck-convert-row", hidden: ""}, [
                h("p", {class: "edeck-hint", text: EDeck.t(
                    "Convert to .safetensors: every WebUI loads it and it holds no code. The original goes to the trash.")}),
                button("convert", EDeck.t("Convert to .safetensors")),
            ]),
            h("div", {class: "edeck-manage-row"}, [
                button("delete", EDeck.t("Delete…"), EDeck.t("Move the file and its sidecars to the trash"), "edeck-danger"),
                h("span", {class: "edeck-confirm", role: "group", hidden: ""}, [
                    h("span", {text: EDeck.t("Move it and its sidecars to the trash?")}),
                    button("delete-yes", EDeck.t("Delete"), "", "edeck-danger"),
                    button("delete-no", EDeck.t("Keep it")),
                ]),
            ]),
        ]);
        var box = modal.querySelector(".edeck-modal-box");
        box.insertBefore(section, modal.querySelector(".edeck-modal-actions"));
        section.addEventListener("click", onManageClick);
        nameInput.addEventListener("keydown", function (ev) {
            if (ev.key === "Enter") {
                ev.preventDefault();
                section.querySelector("[data-lib=rename]").click();
            }
        });
        return section;
    }

    function onManageClick(ev) {
        var b = ev.target.closest("[data-lib]");
        var cur = EDeck.modal.current();
        if (!b || !cur) {
            return;
        }
        var path = cur.entry.path;
        var stamp = stampOf(path, cur.stamp);
        var confirm = ui.manage.querySelector(".edeck-confirm");
        var what = b.dataset.lib;
        if (what === "rename") {
            var name = ui.manage.querySelector("[name=edeck-file-name]").value.trim();
            if (name && name !== stem(path)) {
                rename(path, name, stamp);
            }
        } else if (what === "move") {
            var folder = ui.manage.querySelector("[name=edeck-file-folder]").value;
            if (folder !== cur.entry.folder) {
                move(path, folder, stamp);
            }
        } else if (what === "convert") {
            convert(path, stamp);
        } else if (what === "delete") {
            confirm.hidden = false;
            b.hidden = true;
            confirm.querySelector("[data-lib=delete-no]").focus();
        } else if (what === "delete-no") {
            confirm.hidden = true;
            ui.manage.querySelector("[data-lib=delete]").hidden = false;
            ui.manage.querySelector("[data-lib=delete]").focus();
        } else if (what === "delete-yes") {
            remove(path, stamp);
        }
    }

    function fillManage(modal, cur) {
        if (!deck) {
            return;
        }
        if (!ui.manage || !modal.contains(ui.manage)) {
            ui.manage = buildManage(modal);
        }
        var e = cur.entry;
        var section = ui.manage;
        setBusy(false);
        section.querySelector("[name=edeck-file-name]").value = stem(e.path);
        var internal = section.querySelector(".edeck-internal-name");
        var image = /^(png|webp|avif|jxl)/.test(e.format || "");
        internal.hidden = !(image && e.internal_name);
        internal.textContent = internal.hidden ? "" : EDeck.t(
            "This image embedding answers to {name} in prompts: that name is stored inside the image, and renaming the file does not change it.",
            {name: e.internal_name});
        var select = section.querySelector("[name=edeck-file-folder]");
        select.textContent = "";
        var folders = (deck.folders || []).slice();
        if (folders.indexOf("") === -1) {
            folders.unshift("");
        }
        folders.forEach(function (f) {
            select.appendChild(h("option", {value: f, text: f === "" ? EDeck.t("(top folder)") : f}));
        });
        select.value = e.folder || "";
        section.querySelector(".edeck-convert-row").hidden = !(CONVERTIBLE[e.format] && !e.error);
        section.querySelector(".edeck-confirm").hidden = true;
        section.querySelector("[data-lib=delete]").hidden = false;
    }

    // -- drag a card onto a folder of the tree -------------------------------------------
    function bindDrag(root) {
        var grid = root.querySelector("#embedding_deck_grid");
        var nav = root.querySelector("#embedding_deck_tree");
        grid.addEventListener("dragstart", function (ev) {
            var card = ev.target.closest && ev.target.closest(".edeck-card");
            if (!card || !ev.dataTransfer) {
                return;
            }
            ev.dataTransfer.setData(DRAG_TYPE, card.dataset.path);
            ev.dataTransfer.setData("text/plain", card.dataset.name || "");
            ev.dataTransfer.effectAllowed = "copyMove";
        });
        function target(ev) {
            var node = ev.target.closest && ev.target.closest(".edeck-tree-node");
            var types = ev.dataTransfer ? Array.prototype.slice.call(ev.dataTransfer.types || []) : [];
            return node && types.indexOf(DRAG_TYPE) !== -1 ? node : null;
        }
        function clear() {
            Array.prototype.forEach.call(nav.querySelectorAll(".edeck-drop-target"), function (n) {
                n.classList.remove("edeck-drop-target");
            });
        }
        nav.addEventListener("dragover", function (ev) {
            var node = target(ev);
            if (node) {
                ev.preventDefault();
                ev.dataTransfer.dropEffect = "move";
                if (!node.classList.contains("edeck-drop-target")) {
                    clear();
                    node.classList.add("edeck-drop-target");
                }
            }
        });
        nav.addEventListener("dragleave", function (ev) {
            if (!nav.contains(ev.relatedTarget)) {
                clear();
            }
        });
        nav.addEventListener("drop", function (ev) {
            var node = target(ev);
            clear();
            if (!node) {
                return;
            }
            ev.preventDefault();
            var path = ev.dataTransfer.getData(DRAG_TYPE);
            var entry = deck.byPath.get(path);
            var folder = node.dataset.folder;
            if (entry && folder !== entry.folder) {
                move(path, folder, entry.stamp);
            }
        });
    }

    // -- the toolbar: Duplicates, Trash, the toast ----------------------------------------
    function showDupesButton() {
        ui.dupes.setAttribute("aria-pressed", String(dupesOnly));
        ui.dupes.classList.toggle("edeck-on", dupesOnly);
    }

    function toggleDupes() {
        if (dupesOnly) {
            dupesOnly = false;
            showDupesButton();
            deck.apply(false);
            return Promise.resolve();
        }
        ui.dupes.disabled = true;
        deck.message(EDeck.t("Comparing the vectors of every file…"), "info");
        return EDeck.api.request("GET", "/duplicates").then(function (res) {
            var same = res.same_vectors_as || {};
            deck.entries.forEach(function (e) {
                e.same_vectors_as = same[e.path] || [];
            });
            var groups = (res.groups || []).length;
            dupesOnly = groups > 0;
            showDupesButton();
            deck.message(groups ? EDeck.t(groups === 1 ? "{n} group of files with the same vectors." :
                "{n} groups of files with the same vectors.", {n: groups}) :
                EDeck.t("No two files have the same vectors."), "info");
            deck.apply(false);
        }).catch(function (err) {
            deck.message(EDeck.t(err.message));
        }).then(function () {
            ui.dupes.disabled = false;
        });
    }

    function formatDate(iso) {
        return String(iso || "").replace("T", " ").replace(/(\.\d+)?(\+00:00|Z)$/, "");
    }

    function refreshTrash() {
        if (ui.trash && !ui.trash.hidden) {
            loadTrash();
        }
    }

    function loadTrash() {
        return EDeck.api.request("GET", "/trash").then(drawTrash).catch(function (err) {
            ui.trashMessage.textContent = EDeck.t(err.message);
        });
    }

    function drawTrash(res) {
        var items = res.items || [];
        var list = ui.trash.querySelector(".edeck-trash-list");
        list.textContent = "";
        ui.trashMessage.textContent = items.length ? "" : EDeck.t("The trash is empty.");
        items.forEach(function (item) {
            var n = (item.files || []).length;
            var facts = [
                item.reason === "convert" ? EDeck.t("replaced by a conversion") : EDeck.t("deleted"),
                formatDate(item.deleted),
                EDeck.t(n === 1 ? "{n} file" : "{n} files", {n: n}),
            ];
            var restore = button("restore", EDeck.t("Restore"), EDeck.t("Put the file and its sidecars back"));
            restore.dataset.id = item.id;
            restore.setAttribute("aria-label", EDeck.t("Restore {path}", {path: item.path}));
            list.appendChild(h("li", {class: "edeck-trash-item", "data-id": item.id, "data-path": item.path}, [
                h("span", {class: "edeck-trash-path", text: item.path}),
                h("span", {class: "edeck-hint", text: facts.join(" · ")}),
                restore,
            ]));
        });
        var empty = ui.trash.querySelector("[data-lib=empty]");
        empty.disabled = !items.length;
        empty.hidden = false;
        ui.trash.querySelector(".edeck-confirm").hidden = true;
        ui.trash.querySelector(".edeck-trash-folder").textContent = res.folder ?
            EDeck.t("Kept in {folder}", {folder: res.folder}) : "";
    }

    function toggleTrash(open) {
        ui.trash.hidden = !open;
        ui.trashToggle.setAttribute("aria-pressed", String(open));
        ui.trashToggle.classList.toggle("edeck-on", open);
        if (open) {
            loadTrash();
        }
    }

    function onTrashClick(ev) {
        var b = ev.target.closest("[data-lib]");
        if (!b) {
            return;
        }
        var confirm = ui.trash.querySelector(".edeck-confirm");
        var what = b.dataset.lib;
        if (what === "restore") {
            b.disabled = true;
            post("/trash/restore", {id: b.dataset.id}).then(function (res) {
                applyChange(res);
                var row = res.rows && res.rows[0];
                undoStack = undoStack.filter(function (u) {
                    return u.undo.body.id !== b.dataset.id;
                });
                toast(EDeck.t("Restored {path}.", {path: row ? row.path : ""}), false);
                loadTrash();
            }).catch(function (err) {
                b.disabled = false;
                ui.trashMessage.textContent = EDeck.t(err.message);
            });
        } else if (what === "empty") {
            b.hidden = true;
            confirm.hidden = false;
            confirm.querySelector("[data-lib=empty-no]").focus();
        } else if (what === "empty-no") {
            confirm.hidden = true;
            ui.trash.querySelector("[data-lib=empty]").hidden = false;
            ui.trash.querySelector("[data-lib=empty]").focus();
        } else if (what === "empty-yes") {
            post("/trash/empty", {}).then(function (res) {
                undoStack = undoStack.filter(function (u) {
                    return (Array.isArray(u.undo) ? u.undo : [u.undo]).every(function (call) {
                        return call.route.indexOf("/trash/restore") === -1;
                    });
                });
                drawTrash(res);
                ui.trash.querySelector("[data-lib=empty]").focus();
            }).catch(function (err) {
                ui.trashMessage.textContent = EDeck.t(err.message);
            });
        } else if (what === "close-trash") {
            toggleTrash(false);
            ui.trashToggle.focus();
        }
    }

    function buildToolbar(root) {
        var tools = root.querySelector(".edeck-tools");
        var refresh = root.querySelector("#embedding_deck_refresh");
        ui.dupes = h("button", {id: "embedding_deck_duplicates", class: "edeck-button", type: "button", "aria-pressed": "false",
            title: EDeck.t("Find files whose vectors are identical, and show only them"), text: EDeck.t("Duplicates")});
        ui.trashToggle = h("button", {id: "embedding_deck_trash_toggle", class: "edeck-button", type: "button", "aria-pressed": "false",
            "aria-controls": "embedding_deck_trash", title: EDeck.t("Deleted and converted files: restore them or empty the trash"),
            text: EDeck.t("Trash")});
        ui.convertAll = h("button", {id: "embedding_deck_convert_all", class: "edeck-button", type: "button", hidden: "",
            title: EDeck.t("Convert every .pt/.bin file that a WebUI refuses to .safetensors (the originals go to the trash)")});
        tools.insertBefore(ui.convertAll, refresh);
        ui.convertAll.addEventListener("click", askConvertAll);
        tools.insertBefore(ui.dupes, refresh);
        tools.insertBefore(ui.trashToggle, refresh);
        ui.dupes.addEventListener("click", toggleDupes);
        ui.trashToggle.addEventListener("click", function () {
            toggleTrash(ui.trash.hidden);
        });

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

        ui.trashMessage = h("p", {class: "edeck-hint edeck-trash-message", role: "status"});
        ui.trash = h("section", {id: "embedding_deck_trash", class: "edeck-trash", "aria-labelledby": "embedding_deck_trash_title", hidden: ""}, [
            h("div", {class: "edeck-trash-head"}, [
                h("h3", {id: "embedding_deck_trash_title", class: "edeck-manage-title", text: EDeck.t("Trash")}),
                h("span", {class: "edeck-hint edeck-trash-folder"}),
                button("empty", EDeck.t("Empty trash…"), EDeck.t("Delete every item in the trash for good")),
                h("span", {class: "edeck-confirm", role: "group", hidden: ""}, [
                    h("span", {text: EDeck.t("Delete these files for good?")}),
                    button("empty-yes", EDeck.t("Empty trash"), "", "edeck-danger"),
                    button("empty-no", EDeck.t("Keep them")),
                ]),
                button("close-trash", EDeck.t("Close")),
            ]),
            ui.trashMessage,
            h("ul", {class: "edeck-trash-list"}),
        ]);
        ui.trash.addEventListener("click", onTrashClick);
        var message = root.querySelector("#embedding_deck_message");
        message.parentNode.insertBefore(ui.trash, message.nextSibling);
        message.parentNode.insertBefore(ui.toast, message.nextSibling);
    }

    function decorate(card, e) {
        var old = card.querySelector(".edeck-same");
        if (old) {
            old.remove();
        }
        card.draggable = true;
        var same = e.same_vectors_as || [];
        if (same.length) {
            var badge = h("span", {class: "edeck-badge edeck-same", text: "≡ " + same.length});
            badge.title = EDeck.t("Same vectors as: {paths}", {paths: same.join(", ")});
            card.querySelector(".edeck-badges").appendChild(badge);
        }
        var clash = card.querySelector(".edeck-warn");
        if (clash && e.collides_with && e.collides_with.length) {
            clash.dataset.action = "collision";
            clash.classList.add("edeck-link");
            clash.title = clash.title + "\n" + EDeck.t("Click to go to {path}", {path: e.collides_with[0]});
        }
    }

    EDeck.hooks.cardDecorate.push(decorate);
    EDeck.hooks.cardClick.push(function (action, entry) {
        if (action === "collision" && entry.collides_with && entry.collides_with.length) {
            focusPath(entry.collides_with[0], true);
        }
    });
    EDeck.hooks.editorFill.push(fillManage);
    EDeck.hooks.ready.push(function (d) {
        deck = d;
        var sorted = d.sorted;
        // the Duplicates filter: only files that share their vectors with another
        d.sorted = function () {
            var list = sorted.call(d);
            countFlagged(list);
            return dupesOnly ? list.filter(function (e) {
                return e.same_vectors_as && e.same_vectors_as.length;
            }) : list;
        };
        buildToolbar(d.root);
        bindDrag(d.root);
        d.root.addEventListener("keydown", function (ev) {
            var key = (ev.key || "").toLowerCase();
            if (key !== "z" || !(ev.ctrlKey || ev.metaKey) || ev.shiftKey || ev.altKey ||
                isTyping(ev.composedPath()[0]) || !undoStack.length) {
                return;
            }
            ev.preventDefault();
            undoLast();
        });
        d.apply(true);
    });
    EDeck.library = {
        applyChange: applyChange,
        undo: undoLast,
        rename: rename,
        move: move,
        remove: remove,
        convert: convert,
        focusPath: focusPath,
    };
})();
