/**
 * Embedding Deck — the editor's File section (rename, move, convert, delete with a
 * confirmation) and dragging a card onto a folder of the tree to move it. The operations
 * themselves are edeck_70_library.js's (EDeck.library).
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.editorFill = EDeck.hooks.editorFill || [];
    var DRAG_TYPE = "application/x-edeck-path";
    var lib = EDeck.library;
    var ui = lib.ui;
    var h = lib.h;
    var button = lib.button;
    var stem = lib.stem;

    // -- the editor's file section -------------------------------------------------------
    function buildManage(modal) {
        var nameInput = h("input", {type: "text", name: "edeck-file-name", spellcheck: "false", autocomplete: "off"});
        var folder = h("select", {name: "edeck-file-folder"});
        var section = h("section", {class: "edeck-manage", "aria-labelledby": "embedding_deck_manage_title"}, [
            h("h3", {id: "embedding_deck_manage_title", class: "edeck-manage-title", text: EDeck.t("File")}),
            h("div", {class: "edeck-manage-row edeck-restore-row", hidden: ""}, [
                h("p", {class: "edeck-hint", text: EDeck.t(
                    "The WebUI renamed this file because it could not load it. Restore name gives it its name back, and the WebUI tries to load it again; Delete moves it to the trash.")}),
                button("restore-name", EDeck.t("Restore name")),
            ]),
            h("div", {class: "edeck-manage-row edeck-rename-row"}, [
                h("label", {class: "edeck-field"}, [h("span", {text: EDeck.t("Name (what you type in prompts)")}), nameInput]),
                button("rename", EDeck.t("Rename")),
            ]),
            h("p", {class: "edeck-hint edeck-rename-note", text: EDeck.t(
                "The name is the prompt token: prompts and saved styles that still use the old name stop working after a rename. The file's sidecars (preview, .json, .txt, .civitai.info) are renamed with it.")}),
            h("p", {class: "edeck-hint edeck-internal-name", hidden: ""}),
            h("div", {class: "edeck-manage-row edeck-move-row"}, [
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
        var stamp = lib.stampOf(path, cur.stamp);
        var confirm = ui.manage.querySelector(".edeck-confirm");
        var what = b.dataset.lib;
        if (what === "rename") {
            var name = ui.manage.querySelector("[name=edeck-file-name]").value.trim();
            if (name && name !== stem(path)) {
                lib.rename(path, name, stamp);
            }
        } else if (what === "move") {
            var folder = ui.manage.querySelector("[name=edeck-file-folder]").value;
            if (folder !== cur.entry.folder) {
                lib.move(path, folder, stamp);
            }
        } else if (what === "convert") {
            lib.convert(path, stamp);
        } else if (what === "restore-name") {
            lib.restoreName(path, stamp);
        } else if (what === "delete") {
            confirm.hidden = false;
            b.hidden = true;
            confirm.querySelector("[data-lib=delete-no]").focus();
        } else if (what === "delete-no") {
            confirm.hidden = true;
            ui.manage.querySelector("[data-lib=delete]").hidden = false;
            ui.manage.querySelector("[data-lib=delete]").focus();
        } else if (what === "delete-yes") {
            lib.remove(path, stamp);
        }
    }

    function fillManage(modal, cur) {
        var deck = lib.deck();
        if (!deck) {
            return;
        }
        if (!ui.manage || !modal.contains(ui.manage)) {
            ui.manage = buildManage(modal);
        }
        var e = cur.entry;
        var section = ui.manage;
        lib.setBusy(false);
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
        var renamed = lib.renamedByWebui(e);
        section.querySelector(".edeck-restore-row").hidden = !renamed;
        ["rename", "move"].forEach(function (row) {
            section.querySelector(".edeck-" + row + "-row").hidden = renamed;
        });
        section.querySelector(".edeck-rename-note").hidden = renamed;
        section.querySelector(".edeck-convert-row").hidden = renamed || !lib.convertible(e);
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
            var entry = lib.deck().byPath.get(path);
            var folder = node.dataset.folder;
            if (entry && folder !== entry.folder) {
                lib.move(path, folder, entry.stamp);
            }
        });
    }

    EDeck.hooks.editorFill.push(fillManage);
    EDeck.hooks.ready.push(function (d) {
        bindDrag(d.root);
    });
})();
