/**
 * Embedding Deck — the collapsible folder tree with counts. One element per folder with
 * data-folder="<relative folder>" ("" = everything); clicking one filters the grid to it.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});

    function Tree(nav, onPick) {
        this.nav = nav;
        this.onPick = onPick;
        this.collapsed = new Set();
        var self = this;
        nav.addEventListener("click", function (ev) {
            var node = ev.target.closest(".edeck-tree-node");
            if (!node) {
                return;
            }
            var folder = node.dataset.folder;
            if (ev.target.closest("[data-action=toggle]")) {
                self.toggle(folder);
                return;
            }
            self.onPick(folder === self.selected ? "" : folder);
        });
        nav.addEventListener("keydown", function (ev) {
            var node = ev.target.closest(".edeck-tree-node");
            if (node && (ev.key === "Enter" || ev.key === " ")) {
                ev.preventDefault();
                node.click();
            }
        });
    }

    Tree.prototype.toggle = function (folder) {
        if (this.collapsed.has(folder)) {
            this.collapsed.delete(folder);
        } else {
            this.collapsed.add(folder);
        }
        this.draw(this.counts, this.selected);
    };

    function children(counts, parent) {
        return Object.keys(counts).filter(function (f) {
            if (f === "") {
                return false;
            }
            var cut = f.lastIndexOf("/");
            return (cut === -1 ? "" : f.slice(0, cut)) === parent;
        }).sort(EDeck.query.compareNatural);
    }

    Tree.prototype.draw = function (counts, selected) {
        this.counts = counts;
        this.selected = selected || "";
        var fragment = document.createDocumentFragment();
        this.add(fragment, "", 0);
        this.nav.textContent = "";
        this.nav.appendChild(fragment);
    };

    Tree.prototype.add = function (parentNode, folder, depth) {
        var kids = children(this.counts, folder);
        var node = document.createElement("div");
        node.className = "edeck-tree-node" + (folder === this.selected ? " edeck-selected" : "");
        node.dataset.folder = folder;
        node.tabIndex = 0;
        node.setAttribute("role", "treeitem");
        node.style.paddingLeft = depth * 12 + "px";
        var chevron = document.createElement("span");
        chevron.className = "edeck-chevron";
        if (kids.length) {
            chevron.dataset.action = "toggle";
            chevron.textContent = this.collapsed.has(folder) ? "▸" : "▾";
            node.setAttribute("aria-expanded", String(!this.collapsed.has(folder)));
        }
        node.appendChild(chevron);
        var label = document.createElement("span");
        label.className = "edeck-tree-label";
        label.textContent = folder === "" ? EDeck.t("All") : folder.slice(folder.lastIndexOf("/") + 1);
        node.appendChild(label);
        var count = document.createElement("span");
        count.className = "edeck-count";
        count.textContent = String(this.counts[folder] || 0);
        node.appendChild(count);
        parentNode.appendChild(node);
        if (!this.collapsed.has(folder)) {
            var self = this;
            kids.forEach(function (kid) {
                self.add(parentNode, kid, depth + 1);
            });
        }
    };

    EDeck.Tree = Tree;
})();
