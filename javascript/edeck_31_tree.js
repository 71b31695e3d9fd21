/**
 * Embedding Deck — the collapsible folder tree with counts. One element per folder with
 * data-folder="<relative folder>" ("" = everything); clicking one filters the grid to it.
 * Saved searches (tree.saved, edeck_80_searches.js) come first, one item each with
 * data-search="<name>" and its count; clicking one runs it (onSearch), × forgets it.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});

    function Tree(nav, onPick) {
        this.nav = nav;
        this.onPick = onPick;
        this.onSearch = function () {};
        this.saved = [];
        this.collapsed = new Set();
        var self = this;
        nav.addEventListener("click", function (ev) {
            var node = ev.target.closest(".edeck-tree-node");
            if (!node) {
                return;
            }
            if (node.dataset.search !== undefined) {
                self.onSearch(node.dataset.search, !!ev.target.closest("[data-action=forget]"));
                return;
            }
            var folder = node.dataset.folder;
            if (ev.target.closest("[data-action=toggle]")) {
                self.toggle(folder);
                return;
            }
            self.onPick(folder === self.selected ? "" : folder);
        });
        nav.setAttribute("role", "tree");
        nav.addEventListener("keydown", function (ev) {
            var node = ev.target.closest(".edeck-tree-node");
            if (!node || ev.altKey || ev.ctrlKey || ev.metaKey) {
                return;
            }
            if (ev.key === "Enter" || ev.key === " ") {
                ev.preventDefault();
                self.focusFolder = node.dataset.folder;
                node.click();
            } else if (self.move(node, ev.key)) {
                ev.preventDefault();
            }
        });
        nav.addEventListener("focusin", function (ev) {
            var node = ev.target.closest && ev.target.closest(".edeck-tree-node");
            if (node) {
                self.focusFolder = node.dataset.folder;
            }
        });
    }

    /** WAI-ARIA tree keys: ↑/↓ Home/End move, → opens or goes in, ← closes or goes up. */
    Tree.prototype.move = function (node, key) {
        var nodes = Array.prototype.slice.call(this.nav.querySelectorAll(".edeck-tree-node"));
        var i = nodes.indexOf(node);
        var folder = node.dataset.folder;
        var open = node.getAttribute("aria-expanded");
        var target = null;
        if (folder === undefined && (key === "ArrowLeft" || key === "ArrowRight")) {
            return true; // a saved search has no children and no parent
        }
        if (key === "ArrowDown") {
            target = nodes[i + 1];
        } else if (key === "ArrowUp") {
            target = nodes[i - 1];
        } else if (key === "Home") {
            target = nodes[0];
        } else if (key === "End") {
            target = nodes[nodes.length - 1];
        } else if (key === "ArrowRight") {
            if (open === "false") {
                this.focusFolder = folder;
                this.toggle(folder);
                return true;
            }
            target = open === "true" ? nodes[i + 1] : null;
        } else if (key === "ArrowLeft") {
            if (open === "true" && folder !== "") {
                this.focusFolder = folder;
                this.toggle(folder);
                return true;
            }
            var parent = folder === "" ? null : folder.slice(0, Math.max(0, folder.lastIndexOf("/")));
            target = parent === null ? null : nodes.filter(function (n) {
                return n.dataset.folder === parent;
            })[0];
        } else {
            return false;
        }
        if (target) {
            node.tabIndex = -1;
            target.tabIndex = 0;
            this.focusFolder = target.dataset.folder;
            target.focus();
        }
        return true;
    };

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
        var active = EDeck.host.activeElement();
        var hadFocus = !!active && this.nav.contains(active);
        if (this.focusFolder === undefined || !Object.prototype.hasOwnProperty.call(counts, this.focusFolder)) {
            this.focusFolder = this.selected;
        }
        var fragment = document.createDocumentFragment();
        this.addSaved(fragment);
        this.add(fragment, "", 0);
        this.nav.textContent = "";
        this.nav.appendChild(fragment);
        var stop = this.nav.querySelector(".edeck-tree-node[tabindex='0']") || this.nav.querySelector(".edeck-tree-node");
        if (stop) {
            stop.tabIndex = 0;
            if (hadFocus) {
                stop.focus({preventScroll: true});
            }
        }
    };

    /** One item per saved search: its name, its count, × to forget it. */
    Tree.prototype.addSaved = function (parentNode) {
        this.saved.forEach(function (search) {
            var node = document.createElement("div");
            node.className = "edeck-tree-node edeck-saved-search" + (search.active ? " edeck-selected" : "");
            node.dataset.search = search.name;
            node.tabIndex = -1;
            node.setAttribute("role", "treeitem");
            node.setAttribute("aria-level", "1");
            node.setAttribute("aria-selected", String(!!search.active));
            node.title = search.text;
            var icon = document.createElement("span");
            icon.className = "edeck-chevron";
            icon.textContent = "⌕";
            var label = document.createElement("span");
            label.className = "edeck-tree-label";
            label.textContent = search.name;
            var count = document.createElement("span");
            count.className = "edeck-count";
            count.textContent = String(search.count);
            var forget = document.createElement("span");
            forget.className = "edeck-forget";
            forget.dataset.action = "forget";
            forget.textContent = "×";
            forget.title = EDeck.t("Forget this saved search");
            node.appendChild(icon);
            node.appendChild(label);
            node.appendChild(count);
            node.appendChild(forget);
            parentNode.appendChild(node);
        });
    };

    Tree.prototype.add = function (parentNode, folder, depth) {
        var kids = children(this.counts, folder);
        var node = document.createElement("div");
        node.className = "edeck-tree-node" + (folder === this.selected ? " edeck-selected" : "");
        node.dataset.folder = folder;
        node.tabIndex = folder === this.focusFolder ? 0 : -1;
        node.setAttribute("role", "treeitem");
        node.setAttribute("aria-level", String(depth + 1));
        node.setAttribute("aria-selected", String(folder === this.selected));
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
