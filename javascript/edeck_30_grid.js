/**
 * Embedding Deck — the windowed card grid. Only the rows in view (plus a small margin)
 * exist in the DOM, so 10,000 entries cost the same as 50. User text is set through
 * attributes/textContent, never as HTML.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});

    var SIZES = {small: [140, 210], medium: [190, 280], large: [260, 370]};
    var revealed = new Set(); // NSFW previews the user chose to see
    var GAP = 10;
    var MARGIN_ROWS = 2;

    function el(tag, cls, text) {
        var node = document.createElement(tag);
        if (cls) {
            node.className = cls;
        }
        if (text) {
            // real text: the deck's shadow root keeps it out of the WebUI's localizer
            node.textContent = text;
        }
        return node;
    }

    /** A small card button; its data-action is what the grid's click delegation reports. */
    function cardButton(cls, action, text, title, label) {
        var button = el("button", cls);
        button.type = "button";
        button.tabIndex = -1; // one Tab stop per grid: the keys reach these (Shift+Enter, e)
        button.dataset.action = action;
        button.title = title;
        button.setAttribute("aria-label", label);
        button.textContent = text;
        return button;
    }

    function Grid(container, options) {
        this.container = container;
        this.spacer = container.querySelector(".edeck-spacer");
        this.options = options;
        this.items = [];
        this.nodes = new Map();
        this.rows = new Map();
        this.active = 0;
        this.L = null;
        this.family = null;
        this.size = SIZES[options.size] || SIZES.medium;
        this.pending = false;
        // the container's size and scroll, kept from their events: a render after a DOM
        // change reads no geometry, so a keystroke costs no forced layout
        this.box = null;
        this.scrollY = 0;
        var self = this;
        // WAI-ARIA grid: rows of cells, one Tab stop (roving tabindex), arrows move
        container.setAttribute("role", "grid");
        container.addEventListener("keydown", function (ev) {
            self.onKey(ev);
        });
        container.addEventListener("focusin", function (ev) {
            var card = ev.target.closest && ev.target.closest(".edeck-card");
            if (card && card.dataset.index) {
                self.setActive(+card.dataset.index);
            }
        });
        container.addEventListener("scroll", function () {
            self.scrollY = container.scrollTop;
            self.schedule();
        }, {passive: true});
        if (window.ResizeObserver) {
            new ResizeObserver(function () {
                var shown = !(self.box && self.box.w);
                self.box = {w: container.clientWidth, h: container.clientHeight};
                if (shown && self.box.w) {
                    // the tab was just opened: cards in this frame, not the next (a busy
                    // WebUI page can hold the next one back for long)
                    self.render();
                } else {
                    self.schedule();
                }
            }).observe(container);
        }
    }

    Grid.prototype.setSize = function (name) {
        this.size = SIZES[name] || SIZES.medium;
        this.clear();
        this.schedule();
    };

    /**
     * Show items. reuse: the entries themselves did not change (a search, a sort, a folder),
     * so a card still in view is kept as it is rather than built again.
     */
    Grid.prototype.setItems = function (items, family, keepScroll, reuse) {
        this.items = items;
        if (!keepScroll || this.active >= items.length) {
            this.active = 0;
        }
        if (!reuse || family !== this.family) {
            this.clear();
        }
        this.family = family;
        if (!keepScroll && this.scrollY !== 0) {
            this.container.scrollTop = 0;
        }
        if (!keepScroll) {
            this.scrollY = 0;
        }
        this.render();
    };

    /** Re-render one card in place (after its metadata or preview changed). */
    Grid.prototype.replace = function (path, item) {
        for (var i = 0; i < this.items.length; i++) {
            if (this.items[i].path === path) {
                this.items[i] = item;
            }
        }
        var node = this.nodes.get(path);
        if (node) {
            node.remove();
            this.nodes.delete(path);
        }
        this.render();
    };

    Grid.prototype.clear = function () {
        this.nodes.forEach(function (node) {
            node.remove();
        });
        this.nodes.clear();
        this.rows.forEach(function (row) {
            row.remove();
        });
        this.rows.clear();
    };

    /** Make item index the grid's one Tab stop. */
    Grid.prototype.setActive = function (index) {
        this.active = index;
        var self = this;
        this.nodes.forEach(function (node) {
            node.tabIndex = +node.dataset.index === self.active ? 0 : -1;
        });
    };

    /** Move the focus to item index: scroll its row into view, render, focus. */
    Grid.prototype.focusItem = function (index) {
        if (!this.items.length) {
            return;
        }
        index = Math.max(0, Math.min(this.items.length - 1, index));
        var L = this.L || this.layout();
        var top = Math.floor(index / L.cols) * L.rowH;
        var c = this.container;
        // a list's sticky header (L.top) covers the top of the view: rows start below it
        if (top < c.scrollTop) {
            c.scrollTop = top;
        } else if (L.top + top + L.rowH > c.scrollTop + c.clientHeight) {
            c.scrollTop = L.top + top + L.rowH - c.clientHeight;
        }
        this.scrollY = c.scrollTop;
        this.setActive(index);
        this.render();
        var node = this.nodes.get(this.items[index].path);
        if (node) {
            node.focus({preventScroll: true});
        }
    };

    var MOVES = {ArrowLeft: 1, ArrowRight: 1, ArrowUp: 1, ArrowDown: 1, Home: 1, End: 1, PageUp: 1, PageDown: 1};

    Grid.prototype.onKey = function (ev) {
        var card = ev.target.closest && ev.target.closest(".edeck-card");
        if (!card || ev.target !== card || !MOVES[ev.key] || ev.altKey || ev.metaKey) {
            return;
        }
        ev.preventDefault();
        var L = this.L || this.layout();
        var i = +card.dataset.index;
        var col = i % L.cols;
        var page = Math.max(1, Math.floor(this.container.clientHeight / L.rowH)) * L.cols;
        var to = {
            ArrowLeft: i - 1,
            ArrowRight: i + 1,
            ArrowUp: i - L.cols,
            ArrowDown: i + L.cols,
            Home: ev.ctrlKey ? 0 : i - col,
            End: ev.ctrlKey ? this.items.length - 1 : Math.min(this.items.length - 1, i - col + L.cols - 1),
            PageUp: i - page,
            PageDown: i + page,
        }[ev.key];
        if (to < 0 || to >= this.items.length) {
            to = ev.key.indexOf("Page") === 0 ? Math.max(0, Math.min(this.items.length - 1, to)) : i;
        }
        this.focusItem(to);
    };

    Grid.prototype.schedule = function () {
        if (this.pending) {
            return;
        }
        this.pending = true;
        var self = this;
        requestAnimationFrame(function () {
            self.pending = false;
            self.render();
        });
    };

    Grid.prototype.layout = function () {
        var width = Math.max(this.width() - GAP, 100);
        if (this.listMode) {
            return this.listLayout(width); // edeck_36_listview.js
        }
        // a phone: small cards, so at least two columns show with their names
        var size = width < 480 ? [120, 180] : this.size;
        var cardW = Math.min(size[0], width);
        var cols = Math.max(1, Math.floor((width + GAP) / (cardW + GAP)));
        cardW = Math.floor((width - (cols - 1) * GAP) / cols);
        var cardH = Math.round(size[1] * (cardW / size[0]));
        return {cols: cols, w: cardW, h: cardH, rowH: cardH + GAP, top: 0};
    };

    Grid.prototype.width = function () {
        return this.box && this.box.w ? this.box.w : this.container.clientWidth;
    };

    Grid.prototype.height = function () {
        return this.box && this.box.w ? this.box.h : this.container.clientHeight;
    };

    Grid.prototype.render = function () {
        var L = (this.L = this.layout());
        var rows = Math.ceil(this.items.length / L.cols);
        var height = this.height();
        this.container.setAttribute("aria-rowcount", String(rows));
        this.container.setAttribute("aria-colcount", String(L.cols));
        this.spacer.style.height = L.top + rows * L.rowH + "px";
        // fewer rows than before: the browser clamps the scroll (its event renders again)
        var scrolled = Math.min(this.scrollY, Math.max(0, L.top + rows * L.rowH - height));
        var top = Math.max(0, scrolled - L.top);
        var first = Math.max(0, Math.floor(top / L.rowH) - MARGIN_ROWS);
        var last = Math.min(rows, Math.ceil((top + height) / L.rowH) + MARGIN_ROWS);
        var wanted = new Map();
        for (var i = first * L.cols; i < Math.min(this.items.length, last * L.cols); i++) {
            wanted.set(this.items[i].path, i);
        }
        var self = this;
        this.nodes.forEach(function (node, path) {
            if (!wanted.has(path)) {
                node.remove();
                self.nodes.delete(path);
            }
        });
        this.rows.forEach(function (rowEl, r) {
            if (r < first || r >= last) {
                rowEl.remove();
                self.rows.delete(r);
            }
        });
        var fragment = document.createDocumentFragment();
        var tabStop = null;
        wanted.forEach(function (index, path) {
            var r = Math.floor(index / L.cols);
            var rowEl = self.rows.get(r);
            if (!rowEl) {
                rowEl = document.createElement("div");
                rowEl.className = "edeck-row";
                rowEl.setAttribute("role", "row");
                self.rows.set(r, rowEl);
                fragment.appendChild(rowEl);
            }
            rowEl.setAttribute("aria-rowindex", String(r + 1));
            rowEl.style.transform = "translateY(" + (L.top + r * L.rowH) + "px)";
            rowEl.style.height = L.h + "px";
            var node = self.nodes.get(path);
            if (!node) {
                node = self.listMode ? self.listRow(self.items[index]) : self.card(self.items[index], L.w);
                self.nodes.set(path, node);
            }
            if (node.parentNode !== rowEl) {
                rowEl.appendChild(node);
            }
            var col = index % L.cols;
            node.dataset.index = String(index);
            node.setAttribute("aria-colindex", String(col + 1));
            node.tabIndex = index === self.active ? 0 : -1;
            if (index === self.active || tabStop === null) {
                tabStop = index === self.active ? node : tabStop || node;
            }
            node.style.transform = "translateX(" + col * (L.w + GAP) + "px)";
            node.style.width = L.w + "px";
            node.style.height = L.h + "px";
        });
        // the active card scrolled away: the first card in view keeps the grid's Tab stop
        if (tabStop && +tabStop.dataset.index !== this.active) {
            tabStop.tabIndex = 0;
        }
        this.container.appendChild(fragment);
        if (this.options.onRender) {
            this.options.onRender(this);
        }
    };

    Grid.prototype.card = function (e, width) {
        var Q = EDeck.query;
        var F = EDeck.format;
        var why = Q.incompatibility(e, this.family);
        var card = el("div", "edeck-card");
        card.setAttribute("role", "gridcell");
        card.tabIndex = -1;
        card.dataset.name = e.name;
        card.dataset.path = e.path;
        card.dataset.arch = e.arch;
        card.dataset.vectors = e.vectors === null ? "" : String(e.vectors);
        if (why) {
            card.classList.add("edeck-incompatible");
        }
        if (e.error) {
            card.classList.add("edeck-broken");
        }
        card.title = e.error ? e.path + "\n" + EDeck.t(e.error) : e.path + (why ? "\n" + why : "");
        // the name comes from the card's own text (what is seen is what is heard); the
        // badges' long forms and the reasons are its description
        var said = [e.arch === "unknown" ? EDeck.t("Unknown model family") : EDeck.t("Made for {arch} models", {arch: e.arch})];
        if (e.vectors) {
            said.push(F.vectorsTitle(e.vectors));
        }
        if (e.collides_with && e.collides_with.length) {
            said.push(F.collisionTitle(e));
        }
        var warnings = (e.warnings || []).map(function (w) {
            return EDeck.t(w);
        });
        said = said.concat(warnings, why && !e.refused ? [why] : [], e.error ? [EDeck.t(e.error)] : []);
        card.setAttribute("aria-description", said.join(". "));

        var thumb = el("div", "edeck-thumb");
        if (e.error) {
            thumb.appendChild(el("div", "edeck-error-text", EDeck.t(e.error)));
        } else if (e.preview) {
            if (e.nsfw && this.options.blurNsfw && !revealed.has(e.path)) {
                // Civitai marks it NSFW: blurred until the user asks (per card, this session)
                card.classList.add("edeck-nsfw");
                thumb.appendChild(cardButton("edeck-reveal", "reveal", EDeck.t("Show"),
                    EDeck.t("Civitai marks this NSFW: show the preview"), EDeck.t("Show the preview of {name}", {name: e.name})));
            }
            var img = document.createElement("img");
            // no loading="lazy": only the rows in view (and two more) exist, and lazy images
            // make the browser compute intersections on every frame (measured in A1111)
            img.decoding = "async";
            img.alt = "";
            img.src = EDeck.api.thumbUrl(e, width > 200 ? 384 : 256);
            thumb.appendChild(img);
        } else {
            var letters = el("div", "edeck-placeholder", e.name.slice(0, 2));
            letters.setAttribute("aria-hidden", "true");
            thumb.appendChild(letters);
        }
        card.appendChild(thumb);

        var badges = el("div", "edeck-badges");
        var arch = el("span", "edeck-badge edeck-arch edeck-arch-" + e.arch, e.arch === "unknown" ? "?" : e.arch);
        arch.title = e.arch === "unknown" ? EDeck.t("Unknown model family") : EDeck.t("Made for {arch} models", {arch: e.arch});
        badges.appendChild(arch);
        if (e.vectors) {
            var vec = el("span", "edeck-badge edeck-vec", EDeck.t(e.vectors === 1 ? "{n} vec" : "{n} vecs", {n: e.vectors}));
            vec.title = F.vectorsTitle(e.vectors);
            badges.appendChild(vec);
        }
        if (e.newer) {
            var newer = el("span", "edeck-badge edeck-newer", EDeck.t("⬆ new"));
            newer.title = EDeck.t("Newer version available: {name}", {name: e.newer});
            badges.appendChild(newer);
        }
        if (e.collides_with && e.collides_with.length) {
            var clash = el("span", "edeck-badge edeck-warn", EDeck.t("⚠ name"));
            clash.title = F.collisionTitle(e);
            badges.appendChild(clash);
        }
        if (e.warnings && e.warnings.length) {
            var warn = el("span", "edeck-badge edeck-note", "!");
            warn.title = warnings.join("\n");
            badges.appendChild(warn);
        }
        card.appendChild(badges);

        var info = el("div", "edeck-info");
        info.appendChild(el("div", "edeck-name", e.name));
        if (e.folder) {
            info.appendChild(el("div", "edeck-folder", e.folder));
        }
        if (why) {
            info.appendChild(el("div", "edeck-why", why));
        } else if (e.description) {
            info.appendChild(el("div", "edeck-desc", e.description));
        }
        card.appendChild(info);

        card.appendChild(cardButton("edeck-add-positive", "positive", "+",
            EDeck.t("Add to (or remove from) the positive prompt — same as Shift+click"),
            EDeck.t("Positive prompt: {name}", {name: e.name})));
        card.appendChild(cardButton("edeck-edit", "edit", "✎",
            EDeck.t("Edit description, notes and preview"), EDeck.t("Edit {name}", {name: e.name})));
        // touch screens: one ⋯ in place of the small buttons (style.css), a long press does the same
        card.appendChild(cardButton("edeck-more", "menu", "⋯",
            EDeck.t("More: edit, insert, compare, select (long press)"), EDeck.t("Actions for {name}", {name: e.name})));
        if (this.options.decorate) {
            this.options.decorate(card, e);
        }
        return card;
    };

    Grid.prototype.reveal = function (path) {
        revealed.add(path);
        var node = this.nodes.get(path);
        if (node) {
            node.classList.remove("edeck-nsfw");
            var b = node.querySelector(".edeck-reveal");
            if (b) {
                b.remove();
            }
        }
    };

    EDeck.Grid = Grid;
})();
