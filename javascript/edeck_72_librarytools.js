/**
 * Embedding Deck — the library's toolbar: Convert every file a WebUI refuses (confirmation,
 * progress, one Undo for all), the Duplicates filter (files whose vectors are identical,
 * with a badge on each card), the Trash panel (restore, empty) and the collision badge that
 * leads to the other file. The operations are edeck_70_library.js's (EDeck.library).
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    var lib = EDeck.library;
    var ui = lib.ui;
    var h = lib.h;
    var button = lib.button;
    var deck = null;
    var dupesOnly = false;
    var flagged = [];
    var flaggedFrom = null;

    // -- every flagged file at once ------------------------------------------------------
    /** Files a WebUI refuses (this one, or another in the editor's facts) that converting fixes. */
    function isFlagged(e) {
        return lib.convertible(e) && !!(e.refused || (e.other_hosts || []).length);
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
        lib.toast(EDeck.t(flagged.length === 1 ?
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
        lib.setBusy(true);
        ui.convertAll.disabled = true;
        var step = function (i) {
            if (i === todo.length) {
                return Promise.resolve();
            }
            lib.toast(EDeck.t("Converting {i} of {n}…", {i: i + 1, n: todo.length}), false);
            return lib.post("/convert", todo[i]).then(function (res) {
                lib.applyChange(res);
                if (res.undo) {
                    undos.push(res.undo);
                }
            }, function (err) {
                failed.push(lib.baseName(todo[i].path) + ": " + EDeck.t(err.message));
            }).then(function () {
                return step(i + 1);
            });
        };
        return step(0).then(function () {
            var what = EDeck.t(undos.length === 1 ? "Converted {n} file to .safetensors." :
                "Converted {n} files to .safetensors.", {n: undos.length});
            lib.remember(undos, what);
            lib.toast(what + (failed.length ? " " + EDeck.t("Not converted: {list}", {list: failed.join("; ")}) : ""),
                undos.length > 0);
            refreshTrash();
            lib.setBusy(false);
            ui.convertAll.disabled = false;
        });
    }

    // -- Duplicates and the Trash panel ----------------------------------------------------
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
            lib.post("/trash/restore", {id: b.dataset.id}).then(function (res) {
                lib.applyChange(res);
                var row = res.rows && res.rows[0];
                lib.undoStack = lib.undoStack.filter(function (u) {
                    return u.undo.body.id !== b.dataset.id;
                });
                lib.toast(EDeck.t("Restored {path}.", {path: row ? row.path : ""}), false);
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
            lib.post("/trash/empty", {}).then(function (res) {
                lib.undoStack = lib.undoStack.filter(function (u) {
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
        ui.dupes = h("button", {id: "embedding_deck_duplicates", class: "edeck-button edeck-foldable", type: "button", "aria-pressed": "false",
            title: EDeck.t("Find files whose vectors are identical, and show only them"), text: EDeck.t("Duplicates")});
        ui.trashToggle = h("button", {id: "embedding_deck_trash_toggle", class: "edeck-button edeck-foldable", type: "button", "aria-pressed": "false",
            "aria-controls": "embedding_deck_trash", title: EDeck.t("Deleted and converted files: restore them or empty the trash"),
            text: EDeck.t("Trash")});
        ui.convertAll = h("button", {id: "embedding_deck_convert_all", class: "edeck-button edeck-foldable", type: "button", hidden: "",
            title: EDeck.t("Convert every .pt/.bin file that a WebUI refuses to .safetensors (the originals go to the trash)")});
        tools.insertBefore(ui.convertAll, refresh);
        ui.convertAll.addEventListener("click", askConvertAll);
        tools.insertBefore(ui.dupes, refresh);
        tools.insertBefore(ui.trashToggle, refresh);
        ui.dupes.addEventListener("click", toggleDupes);
        ui.trashToggle.addEventListener("click", function () {
            toggleTrash(ui.trash.hidden);
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
        ui.toast.parentNode.insertBefore(ui.trash, ui.toast.nextSibling);  // the toast stays first
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

    lib.refreshTrash = refreshTrash;
    lib.clearFilters = function () {
        dupesOnly = false;
        showDupesButton();
    };
    EDeck.hooks.cardDecorate.push(decorate);
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
        d.apply(true);
    });
})();
