/**
 * Embedding Deck — wiring: when #embedding_deck_root exists, load the state and the grid,
 * and connect toolbar, tree, grid and refresh. Other files plug in through EDeck.hooks.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    // toolbar changes that leave every entry as it was: the cards in view can stay
    var REUSE = {search: true, sort: true, folder: true, filter: true};
    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};

    EDeck.MESSAGE_MS = 6000;
    // Above this many entries a keystroke in the search box paints first and the results
    // follow in the next frame (filtering 10,000 and drawing the new cards takes longer
    // than a frame on a slow machine); a burst of keys filters once.
    EDeck.SYNC_SEARCH_MAX = 1500;

    function Deck(root, serverState) {
        this.root = root;
        this.entries = [];
        this.byPath = new Map();
        this.family = serverState.family || null;
        var settings = (this.settings = serverState.settings || {});
        this.drawerTab = null;
        this.hostName = serverState.host;
        this.state = EDeck.toolbar.load({
            text: "",
            folder: "",
            sort: settings.edeck_default_sort || "path",
            desc: !!settings.edeck_default_desc,
            tree: settings.edeck_default_view === "tree",
            hideIncompatible: settings.edeck_show_incompatible === false,
            target: "txt2img",
            targetChosen: false,
            view: "cards",
        });
        this.sortedCache = null;
        var self = this;
        this.grid = new EDeck.Grid(root.querySelector("#embedding_deck_grid"), {
            size: root.dataset.edeckSize,
            blurNsfw: settings.edeck_civitai_blur !== false,
            onRender: function () {},
            decorate: function (card, e) {
                EDeck.hooks.cardDecorate.forEach(function (fn) {
                    fn(card, e);
                });
            },
        });
        this.tree = new EDeck.Tree(root.querySelector("#embedding_deck_tree"), function (folder) {
            self.state.folder = folder;
            self.toolbar.changed("folder");
        });
        this.toolbar = EDeck.toolbar.bind(root, this.state, function (what) {
            if (what === "sort") {
                self.sortedCache = null;
            }
            if (what === "search" && self.entries.length > EDeck.SYNC_SEARCH_MAX) {
                self.applySoon();
                return;
            }
            self.apply(what === "target" || what === "tree", REUSE[what]);
        });
        this.bindGrid();
        root.querySelector("#embedding_deck_message").addEventListener("click", function (ev) {
            ev.currentTarget.hidden = true;
        });
        root.querySelector("#embedding_deck_refresh").addEventListener("click", function () {
            self.refresh();
        });
    }

    /**
     * A message floats over the grid's foot, never pushing the cards down: information fades
     * after EDeck.MESSAGE_MS, an error stays until the next message or a click on it.
     */
    Deck.prototype.message = function (text, kind) {
        var box = this.root.querySelector("#embedding_deck_message");
        kind = kind || "error";
        clearTimeout(this.messageTimer);
        box.hidden = !text;
        box.textContent = text ? EDeck.t(text) : "";
        box.dataset.kind = kind;
        box.setAttribute("role", kind === "error" ? "alert" : "status");
        if (text && kind === "info") {
            this.messageTimer = setTimeout(function () {
                box.hidden = true;
            }, EDeck.MESSAGE_MS);
        }
    };

    /** What an empty grid says: why nothing shows, and the one button that fixes it. */
    Deck.prototype.emptyState = function (visible) {
        var box = this.root.querySelector("#embedding_deck_empty");
        var st = this.state;
        box.textContent = "";
        if (visible.length || this.loadError) {
            box.hidden = true;
            return;
        }
        var self = this;
        function say(text, button, fix) {
            var p = document.createElement("p");
            p.textContent = text;
            box.appendChild(p);
            if (button) {
                var b = document.createElement("button");
                b.type = "button";
                b.className = "edeck-button";
                b.dataset.action = "clear-filters";
                b.textContent = button;
                b.addEventListener("click", function () {
                    fix();
                    self.toolbar.changed("search");
                    self.root.querySelector("#embedding_deck_search").focus();
                });
                box.appendChild(b);
            }
        }
        if (!this.entries.length) {
            say(this.root_dir ?
                EDeck.t("The embeddings folder {root} is empty. Put .safetensors, .pt, .bin or .png embeddings there, then press Refresh.", {root: this.root_dir}) :
                EDeck.t("There are no embeddings yet."));
        } else if (st.text.trim()) {
            say(EDeck.t("No embedding matches “{text}”.", {text: st.text.trim()}), EDeck.t("Clear the search"), function () {
                st.text = "";
            });
        } else {
            say(EDeck.t("No embedding to show with these filters."), EDeck.t("Show all"), function () {
                st.folder = "";
                st.hideIncompatible = false;
            });
        }
        box.hidden = false;
    };

    Deck.prototype.load = function (payload) {
        // payload.message: what was repaired after a crash; it stays until clicked away.
        this.message(payload.error || payload.message || "", "error");
        this.loadError = !!payload.error;
        this.root_dir = payload.root || null;
        this.entries = payload.entries || [];
        this.version = (this.version || 0) + 1;
        this.byPath = new Map(this.entries.map(function (e) {
            return [e.path, e];
        }));
        this.folders = payload.folders || [];
        if (payload.family !== undefined) {
            this.family = payload.family;
        }
        this.sortedCache = null;
    };

    Deck.prototype.sorted = function () {
        var key = this.state.sort + "|" + this.state.desc;
        if (!this.sortedCache || this.sortedCache.key !== key) {
            this.sortedCache = {key: key, list: EDeck.query.ordered(this.entries, this.state.sort, this.state.desc)};
        }
        return this.sortedCache.list;
    };

    /** The search text parsed (once per text); under the toolbar, while there is a query, what
     * it was understood as (and Save search, edeck_80_searches.js). */
    Deck.prototype.parsedQuery = function (text) {
        if (this.parsedCache && this.parsedCache.text === text) {
            return this.parsedCache.parsed;
        }
        var parsed = EDeck.syntax.parse(text);
        this.parsedCache = {text: text, parsed: parsed};
        var hint = this.root.querySelector("#embedding_deck_query_hint");
        var said = text.trim() ?
            EDeck.t("Searching: {query}", {query: EDeck.syntax.explain(parsed, EDeck.t) || EDeck.t("everything")}) : "";
        var problems = parsed.problems.map(function (p) {
            return EDeck.t(p);
        });
        hint.hidden = !said;
        hint.querySelector(".edeck-query-said").textContent = [said].concat(problems).join(" ");
        hint.classList.toggle("edeck-query-problem", !!problems.length);
        return parsed;
    };

    /** apply() for a search, after the keystroke's own frame is painted. */
    Deck.prototype.applySoon = function () {
        var self = this;
        if (this.applyPending) {
            return;
        }
        this.applyPending = true;
        requestAnimationFrame(function () {
            setTimeout(function () { // after the frame: rAF callbacks run before its paint
                self.applyPending = false;
                self.apply(false, true);
            }, 0);
        });
    };

    /** Recompute the visible list and repaint; keepScroll keeps the grid where it was;
     * reuse: no entry changed (a search, sort or folder), cards in view are kept. */
    Deck.prototype.apply = function (keepScroll, reuse) {
        var Q = EDeck.query;
        var st = this.state;
        var parsed = this.parsedQuery(st.text);
        var family = this.family;
        var hidden = Q.showHidden(EDeck.host.opts().extra_networks_hidden_models, st.text, st.folder);
        var visible = this.sorted().filter(function (e) {
            return (hidden || !e.hidden) && Q.matches(e, [], st.folder) && EDeck.syntax.test(parsed, e) &&
                !(st.hideIncompatible && Q.incompatibility(e, family));
        });
        this.visible = visible;
        this.grid.setItems(visible, family, keepScroll, reuse);
        this.emptyState(visible);
        var status = this.root.querySelector("#embedding_deck_status");
        status.dataset.total = String(this.entries.length);
        status.dataset.visible = String(visible.length);
        status.textContent = EDeck.format.status(visible.length, this.entries.length);
        var nav = this.root.querySelector("#embedding_deck_tree");
        nav.hidden = !st.tree;
        this.root.classList.toggle("edeck-with-tree", st.tree);
        if (st.tree) {
            this.drawTree();
        }
    };

    Deck.prototype.drawTree = function () {
        this.tree.saved = EDeck.searches ? EDeck.searches.nodes(this) : [];
        this.tree.draw(EDeck.query.folderTree(this.entries, this.folders), this.state.folder);
    };

    /** One card changed: the saved searches' counts follow, once for a burst of changes. */
    Deck.prototype.drawTreeSoon = function () {
        var self = this;
        if (!this.state.tree || this.treeTimer) {
            return;
        }
        this.treeTimer = setTimeout(function () {
            self.treeTimer = null;
            if (self.state.tree) {
                self.drawTree();
            }
        }, 50);
    };

    /** Rescan; note (optional) is the message to show instead of the server's. */
    Deck.prototype.refresh = function (note) {
        var self = this;
        var button = this.root.querySelector("#embedding_deck_refresh");
        button.disabled = true;
        return EDeck.api.refresh().then(function (payload) {
            self.load(payload);
            self.apply(true);
            if (typeof note === "string" && note) {
                self.message(note);
            } else if (!payload.error && !payload.message) {
                self.followReload(payload.reload);
            }
        }).catch(function (err) {
            self.message(err.message);
        }).then(function () {
            button.disabled = false;
        });
    };

    /**
     * The WebUI's own reload runs in the background after our rescan (it takes seconds on
     * large libraries): say so, then say what it did. One poller at a time.
     */
    Deck.prototype.followReload = function (status) {
        var self = this;
        var token = (this.reloadToken = (this.reloadToken || 0) + 1);
        var polls = 0;
        function show(s) {
            if (token !== self.reloadToken || !s) {
                return;
            }
            if (s.state === "running") {
                // A quick host is done by the first look: no "reloading" flash then.
                if (polls > 0) {
                    self.message("WebUI is reloading embeddings…", "info");
                }
                setTimeout(function () {
                    EDeck.api.reloadStatus().then(show, function (err) {
                        self.message(err.message);
                    });
                }, polls++ === 0 ? 150 : 500);
            } else if (s.message) {
                self.message(s.message, s.state === "failed" ? "error" : "info");
            }
        }
        show(status);
    };

    /** One entry changed on the server: re-render just its card; filter, sort, scroll stay. */
    Deck.prototype.updateEntry = function (row) {
        var old = this.byPath.get(row.path);
        if (!old) {
            return;
        }
        Object.keys(old).forEach(function (k) {
            delete old[k];
        });
        Object.assign(old, row);
        this.version = (this.version || 0) + 1;
        this.grid.replace(row.path, old);
        this.drawTreeSoon();
    };

    /** The user went to a prompt box of tab: card clicks follow them there. */
    Deck.prototype.followTab = function (tab) {
        if (!this.drawerTab && this.state.target !== tab) {
            this.state.target = tab;
            this.toolbar.changed("target");
        }
    };

    /** A prompt box changed: refresh the in-prompt marks of the cards in view. */
    Deck.prototype.promptsChanged = function () {
        if (this.pendingMarks) {
            return;
        }
        this.pendingMarks = true;
        var self = this;
        requestAnimationFrame(function () {
            self.pendingMarks = false;
            if (EDeck.drawer) {
                EDeck.drawer.showPrompt();
            }
            self.grid.nodes.forEach(function (card, path) {
                var entry = self.byPath.get(path);
                if (entry) {
                    EDeck.hooks.cardDecorate.forEach(function (fn) {
                        fn(card, entry);
                    });
                }
            });
        });
    };

    Deck.prototype.setFamily = function (family) {
        this.family = family || null;
        this.apply(true);
    };

    /** Run a card action ("click", "edit", "positive", "negative", "compare", "menu"…). */
    Deck.prototype.cardAction = function (name, card, ev) {
        var entry = this.byPath.get(card.dataset.path);
        if (!entry) {
            return;
        }
        if (name === "reveal") {
            this.grid.reveal(entry.path);
            return;
        }
        var self = this;
        EDeck.hooks.cardClick.forEach(function (fn) {
            fn(name, entry, ev || {target: card, shiftKey: false}, card, self);
        });
    };

    Deck.prototype.bindGrid = function () {
        var self = this;
        var grid = this.root.querySelector("#embedding_deck_grid");
        function act(ev, card) {
            var action = ev.target.closest("[data-action]");
            self.cardAction(action ? action.dataset.action : "click", card, ev);
        }
        grid.addEventListener("click", function (ev) {
            var card = ev.target.closest(".edeck-card");
            if (card) {
                act(ev, card);
            }
        });
        grid.addEventListener("keydown", function (ev) {
            var card = ev.target.closest(".edeck-card");
            if (!card || ev.target !== card || ev.ctrlKey || ev.altKey || ev.metaKey) {
                return;
            }
            if (ev.key === "Enter") {
                ev.preventDefault();
                act(ev, card);
            } else if (ev.key === "e" || ev.key === "F2") {
                // the editor (WAI-ARIA: F2 edits a grid cell)
                ev.preventDefault();
                act({target: card.querySelector("[data-action=edit]"), shiftKey: false}, card);
            }
        });
    };

    /**
     * Keep the model family in step with the host: the standalone page's selector, and in
     * the WebUI the loaded checkpoint (asked every few seconds while the deck is in view, so
     * switching checkpoints re-greys the cards without a refresh).
     */
    function followFamily(deck) {
        setInterval(function () {
            if (deck.hostName === "standalone" || document.visibilityState !== "visible" || !deck.root.offsetParent) {
                return;
            }
            EDeck.api.state().then(function (st) {
                if ((st.family || null) !== deck.family) {
                    deck.setFamily(st.family);
                }
            }).catch(function () {});
        }, 4000);
        document.addEventListener("change", function (ev) {
            var input = ev.target;
            if (input && input.closest && input.closest("#embedding_deck_family") && input.checked) {
                deck.setFamily(input.value);
            }
        }, true);
    }

    function isTyping(target) {
        return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
            target.tagName === "SELECT" || target.isContentEditable);
    }

    /**
     * gradio rewrites the tab buttons' text when a tab is chosen (a text change, not a new
     * node, so the WebUI's localizer misses it): our tab's label went back to English.
     * Translate the tab bar again after each change, in the WebUI and the standalone page.
     */
    function keepTabLabelsTranslated() {
        var tabs = EDeck.host.$("#tabs");
        if (!tabs || !window.localization || !Object.keys(window.localization).length) {
            return;
        }
        // the tab bar only, when it can be found: the rest of the page changes all the time
        var bar = tabs.querySelector(".tab-nav, [role=tablist]") || tabs;
        var observer = new MutationObserver(function () {
            observer.disconnect();
            EDeck.translateTree(bar === tabs ? tabs.querySelector(".tab-nav, [role=tablist]") : bar);
            watch();
        });
        function watch() {
            observer.observe(bar, {childList: true, subtree: true, characterData: true});
        }
        watch();
    }

    /**
     * The WebUI's localization.js translates the page, new nodes included. The standalone
     * page has no such script: translate our root and gradio's labels once, and the
     * server-rendered prompt reports whenever they change.
     */
    function translateStandalone() {
        keepTabLabelsTranslated();
        if (typeof window.getTranslation === "function" || !window.localization) {
            return;
        }
        EDeck.translateTree(document.body);
        var observer = new MutationObserver(function (mutations) {
            mutations.forEach(function (m) {
                var el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
                var report = el && el.closest("[id^=embedding_deck_prompt_report]");
                if (report) {
                    observer.disconnect();
                    EDeck.translateTree(report);
                    watch();
                }
            });
        });
        function watch() {
            EDeck.host.$$("[id^=embedding_deck_prompt_report]").forEach(function (el) {
                observer.observe(el, {childList: true, subtree: true, characterData: true});
            });
        }
        watch();
    }

    /** Move the skeleton into its shadow root (see host.shadowHost), translated there. */
    function mount(root) {
        var sh = EDeck.host.shadowHost("embedding_deck_host", "edeck-host");
        root.parentNode.insertBefore(sh.el, root);
        sh.shadow.appendChild(root);
        EDeck.shadow = sh.shadow;
        EDeck.shadowHost = sh.el;
        EDeck.translateTree(sh.shadow);
        return sh.ready;
    }

    function start(root) {
        translateStandalone();
        mount(root).then(function () {
            return EDeck.api.state();
        }).then(function (serverState) {
            var deck = new Deck(root, serverState);
            EDeck.deck = deck;
            return EDeck.api.grid().then(function (payload) {
                deck.load(payload);
                deck.apply(false);
                followFamily(deck);
                EDeck.hooks.ready.forEach(function (fn) {
                    fn(deck);
                });
            });
        }).catch(function (err) {
            var box = root.querySelector("#embedding_deck_message");
            box.hidden = false;
            box.textContent = EDeck.t("Embedding Deck could not load: {error}", {error: EDeck.t(err.message)});
        });
        document.addEventListener("keydown", function (ev) {
            if (ev.key !== "/" || isTyping(ev.composedPath()[0]) || !root.offsetParent) {
                return;
            }
            ev.preventDefault();
            root.querySelector("#embedding_deck_search").focus();
        });
    }

    EDeck.Deck = Deck;
    EDeck.host.whenPresent("#embedding_deck_root", start);
})();
