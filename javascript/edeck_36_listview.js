/**
 * Embedding Deck — the list view: the same windowed grid (edeck_30_grid.js) with one dense
 * row per embedding (name, folder, SD version, vectors, size, dates, uses, description) under a
 * sticky header whose columns sort (aria-sort; again reverses). Rows are the grid's cells,
 * so clicks, keys, menus and the card buttons work as on cards. The toolbar's ☰ switches
 * views; the choice is kept with the rest of the toolbar's state.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var ROW_H = 36;
    var HEAD_H = 30;
    // [css class, label, sort key or null]
    var COLUMNS = [
        ["edeck-col-thumb", "", null],
        ["edeck-col-name", "Name", "name"],
        ["edeck-col-folder", "Folder", "path"],
        ["edeck-col-arch", "SD", null],
        ["edeck-col-vectors", "Vectors", "vectors"],
        ["edeck-col-size", "Size", "size"],
        ["edeck-col-created", "Created", "created"],
        ["edeck-col-modified", "Modified", "modified"],
        ["edeck-col-uses", "Uses", "uses"],
        ["edeck-col-last", "Last used", "last_used"],
        ["edeck-col-desc", "Description", null],
        ["edeck-list-actions", "", null],
    ];

    function el(tag, cls, text) {
        var node = document.createElement(tag);
        node.className = cls;
        if (text) {
            node.textContent = text;
        }
        return node;
    }

    var Grid = EDeck.Grid;

    Grid.prototype.listLayout = function (width) {
        var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
        var h = coarse ? 44 : ROW_H;
        return {cols: 1, w: width, h: h, rowH: h + 2, top: HEAD_H};
    };

    /** Switch views; onSort(key) runs when a column header is pressed. */
    Grid.prototype.setList = function (on, sort, desc, onSort) {
        on = !!on;
        this.container.classList.toggle("edeck-list", on);
        if (on && !this.head) {
            this.head = head(onSort);
            this.container.insertBefore(this.head, this.container.firstChild);
        }
        if (this.head) {
            this.head.hidden = !on;
            markSort(this.head, sort, desc);
        }
        if (on !== !!this.listMode) {
            this.listMode = on;
            this.clear();
        }
    };

    function head(onSort) {
        var row = el("div", "edeck-list-head edeck-list-cols");
        row.setAttribute("role", "row");
        COLUMNS.forEach(function (c) {
            var cell = el("div", "edeck-list-cell " + c[0]);
            cell.setAttribute("role", "columnheader");
            if (c[2]) {
                var b = el("button", "edeck-list-sort", EDeck.t(c[1]));
                b.type = "button";
                b.dataset.sort = c[2];
                b.addEventListener("click", function () {
                    onSort(c[2]);
                });
                cell.appendChild(b);
                cell.dataset.sort = c[2];
            } else {
                cell.textContent = EDeck.t(c[1]);
            }
            row.appendChild(cell);
        });
        return row;
    }

    function markSort(row, sort, desc) {
        Array.prototype.forEach.call(row.querySelectorAll("[role=columnheader]"), function (cell) {
            var on = cell.dataset.sort === sort;
            if (on) {
                cell.setAttribute("aria-sort", desc ? "descending" : "ascending");
            } else {
                cell.removeAttribute("aria-sort");
            }
            var b = cell.querySelector("button");
            if (b) {
                b.dataset.arrow = on ? (desc ? "↓" : "↑") : "";
            }
        });
    }

    /** One row: the card's element and buttons, laid out as the header's columns. */
    Grid.prototype.listRow = function (e) {
        var card = this.card(e, 64);
        card.classList.add("edeck-list-row", "edeck-list-cols");
        var F = EDeck.format;
        var info = card.querySelector(".edeck-info");
        var thumb = card.querySelector(".edeck-thumb");
        var badges = card.querySelector(".edeck-badges");
        thumb.classList.add("edeck-list-cell", "edeck-col-thumb");
        var cells = [
            ["edeck-col-name", e.name],
            ["edeck-col-folder", e.folder || ""],
            ["edeck-col-arch", e.arch === "unknown" ? "?" : e.arch],
            ["edeck-col-vectors", e.vectors ? String(e.vectors) : ""],
            ["edeck-col-size", F.size(e.size)],
            ["edeck-col-created", e.created ? F.date(e.created) : ""],
            ["edeck-col-modified", e.modified ? F.date(e.modified) : ""],
            ["edeck-col-uses", e.uses ? String(e.uses) : ""],
            ["edeck-col-last", e.last_used ? F.date(e.last_used) : ""],
            ["edeck-col-desc", e.error ? EDeck.t(e.error) : (card.querySelector(".edeck-why") || {}).textContent || e.description || ""],
        ];
        var after = thumb;
        cells.forEach(function (c) {
            var cell = el("div", "edeck-list-cell " + c[0], c[1]);
            if (c[0] === "edeck-col-name") {
                cell.classList.add("edeck-name");
                cell.appendChild(badges); // ⚠, ⬆, ! stay beside the name
            }
            after.parentNode.insertBefore(cell, after.nextSibling);
            after = cell;
        });
        info.remove();
        Array.prototype.forEach.call(badges.querySelectorAll(".edeck-arch, .edeck-vec"), function (b) {
            b.remove(); // they have columns of their own
        });
        // the card's buttons (✎ + ⋯, and ⇆ ★ from the decorate hooks) in one last cell
        var actions = el("div", "edeck-list-cell edeck-list-actions");
        Array.prototype.slice.call(card.children).forEach(function (child) {
            if (child.tagName === "BUTTON") {
                actions.appendChild(child);
            }
        });
        card.appendChild(actions);
        return card;
    };

    function ready(deck) {
        var st = deck.state;
        var button = document.createElement("button");
        button.type = "button";
        button.id = "embedding_deck_view";
        button.className = "edeck-button";
        button.textContent = "☰";
        button.setAttribute("aria-label", EDeck.t("List view"));
        var show = function () {
            var list = st.view === "list";
            button.setAttribute("aria-pressed", String(list));
            button.classList.toggle("edeck-on", list);
            button.title = EDeck.t(list ? "Show cards" : "Show a list");
            deck.grid.setList(list, st.sort, st.desc, function (key) {
                st.desc = st.sort === key ? !st.desc : false;
                st.sort = key;
                deck.toolbar.changed("sort");
            });
        };
        button.addEventListener("click", function () {
            st.view = st.view === "list" ? "cards" : "list";
            show();
            deck.toolbar.changed("view");
        });
        var folders = deck.root.querySelector("#embedding_deck_tree_toggle");
        folders.parentNode.insertBefore(button, folders);
        var apply = deck.apply;
        deck.apply = function (keepScroll, reuse) {
            show(); // the sort may have changed from the toolbar: the header follows
            return apply.call(deck, keepScroll, reuse);
        };
        if (st.view === "list") {
            deck.apply(true); // the cards drawn before this hook become rows
        }
    }

    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.ready.push(ready);
})();
