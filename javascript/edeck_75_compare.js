/**
 * Embedding Deck — the selection of cards and comparing them: Ctrl+click, Shift+click for a
 * range once something is selected (Ctrl+Shift+click always), Space / Shift+Space and
 * Ctrl+A in the keyboard grid, "Select all shown"; shown and announced, aria-selected on
 * the cells. The bar holds "Compare" (up to 8) and, from edeck_82_bulk.js, the actions on
 * the whole selection. Also a ⇆ button on each card and what the host says about
 * comparisons (/compare/support). The panel itself is edeck_76_comparison.js. Shift+click
 * with nothing selected keeps its meaning (the positive prompt).
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var MAX = 8;
    var selected = []; // paths, in the order chosen
    var chosen = new Set(); // the same, to look up (a selection can be the whole library)
    var anchor = null;
    var support = {available: false, reason: null, max_embeddings: MAX};
    var bar = null;
    var whyLine = null; // why comparisons are off: a line of its own under the toolbar

    function h(tag, cls, text) {
        var el = document.createElement(tag);
        if (cls) {
            el.className = cls;
        }
        if (text) {
            el.textContent = text;
        }
        return el;
    }

    function reason() {
        return support.available ? "" : EDeck.t(support.reason || "Comparisons need the WebUI.");
    }

    function buildBar(deck) {
        bar = h("div", "edeck-selbar");
        bar.id = "embedding_deck_selbar";
        var count = h("span", "edeck-selcount");
        count.setAttribute("role", "status");
        count.setAttribute("aria-live", "polite");
        var run = h("button", "edeck-button", EDeck.t("Compare"));
        run.type = "button";
        run.id = "embedding_deck_compare_button";
        run.dataset.action = "compare-selection";
        run.setAttribute("aria-describedby", "embedding_deck_compare_why");
        var all = h("button", "edeck-button", EDeck.t("Select all shown"));
        all.type = "button";
        all.dataset.action = "select-all";
        var clear = h("button", "edeck-button", EDeck.t("Clear selection"));
        clear.type = "button";
        clear.dataset.action = "clear-selection";
        var why = (whyLine = h("p", "edeck-compare-why"));
        why.id = "embedding_deck_compare_why";
        bar.appendChild(run);
        bar.appendChild(count);
        bar.appendChild(all);
        bar.appendChild(clear);
        bar.addEventListener("click", function (ev) {
            var action = ev.target.closest("[data-action]");
            if (!action) {
                return;
            }
            if (action.dataset.action === "clear-selection") {
                setSelection([]);
            } else if (action.dataset.action === "select-all") {
                selectAll();
            } else if (action.dataset.action === "compare-selection") {
                compare(selected.length ? selected.slice() : currentPath(deck));
            }
        });
        // In the toolbar, beside Refresh: a bar of its own row would hold one button most of the time.
        // Why comparisons are off (the standalone page, no checkpoint yet) is a sentence: its own line.
        var tools = deck.root.querySelector(".edeck-tools");
        tools.insertBefore(bar, tools.querySelector("#embedding_deck_refresh"));
        var message = deck.root.querySelector("#embedding_deck_message");
        message.parentNode.insertBefore(why, message);
        showBar();
    }

    function currentPath(deck) {
        var item = deck.grid.items[deck.grid.active];
        return item ? [item.path] : [];
    }

    function showBar() {
        if (!bar) {
            return;
        }
        var run = bar.querySelector("#embedding_deck_compare_button");
        var why = whyLine;
        var many = selected.length > MAX;
        run.disabled = !support.available || many;
        run.title = !support.available ? reason() : many ?
            EDeck.t("A comparison takes up to {n} embeddings: select fewer.", {n: MAX}) :
            EDeck.t("Compare the selected embeddings (Ctrl+click or Space selects; up to {n})", {n: MAX});
        why.textContent = reason();
        why.hidden = support.available;
        run.textContent = selected.length ? EDeck.t("Compare {n} selected", {n: selected.length}) : EDeck.t("Compare");
        bar.querySelector(".edeck-selcount").textContent = selected.length ?
            EDeck.t("{n} selected", {n: selected.length}) : "";
        bar.querySelector("[data-action=clear-selection]").hidden = !selected.length;
        bar.querySelector("[data-action=select-all]").hidden = !selected.length;
    }

    function setSelection(paths) {
        var seen = new Set();
        selected = paths.filter(function (p) {
            return !seen.has(p) && seen.add(p);
        });
        chosen = seen;
        var deck = EDeck.deck;
        if (deck) {
            deck.grid.nodes.forEach(function (card, path) {
                mark(card, path);
            });
        }
        showBar();
        (EDeck.hooks.selection || []).forEach(function (fn) {
            fn(selected.slice());
        });
    }

    /** After a write: the selection follows moved files ({old: new}); gone ones leave it. */
    function follow(moved) {
        var byPath = EDeck.deck.byPath;
        var next = selected.map(function (p) {
            return moved[p] || p;
        }).filter(function (p) {
            return byPath.has(p);
        });
        if (next.length !== selected.length || next.some(function (p, i) {
            return p !== selected[i];
        })) {
            setSelection(next);
        }
    }

    /** Every card the search and folder show (added to what is selected). */
    function selectAll() {
        setSelection(selected.concat(EDeck.deck.visible.map(function (e) {
            return e.path;
        })));
    }

    function mark(card, path) {
        var on = chosen.has(path);
        card.classList.toggle("edeck-selected", on);
        card.setAttribute("aria-selected", String(on));
    }

    function toggle(path) {
        var next = selected.slice();
        if (!chosen.has(path)) {
            next.push(path);
        } else {
            next.splice(next.indexOf(path), 1);
        }
        anchor = path;
        setSelection(next);
    }

    /** Select every visible card from the anchor to path (added to what is selected). */
    function range(path) {
        var items = EDeck.deck.grid.items.map(function (e) {
            return e.path;
        });
        var a = items.indexOf(anchor);
        var b = items.indexOf(path);
        if (a === -1 || b === -1) {
            toggle(path);
            return;
        }
        anchor = path;
        setSelection(selected.concat(items.slice(Math.min(a, b), Math.max(a, b) + 1)));
    }

    function compare(paths) {
        if (!paths.length || !EDeck.comparePanel) {
            return;
        }
        EDeck.comparePanel.open(paths);
    }

    function decorate(card, entry) {
        mark(card, entry.path);
        var button = card.querySelector(".edeck-compare-card");
        if (!button) {
            button = h("button", "edeck-compare-card", "⇆");
            button.type = "button";
            button.tabIndex = -1;
            button.dataset.action = "compare";
            button.setAttribute("aria-label", EDeck.t("Compare {name}", {name: entry.name}));
            card.appendChild(button);
        }
        button.disabled = !support.available;
        button.title = support.available ? EDeck.t("Compare: images with and without it (c)") : reason();
    }

    function ready(deck) {
        var grid = deck.root.querySelector("#embedding_deck_grid");
        grid.setAttribute("aria-multiselectable", "true");
        // capture phase: a Ctrl+click selects, and must not also edit a prompt
        grid.addEventListener("click", function (ev) {
            var card = ev.target.closest(".edeck-card");
            var extend = ev.shiftKey && selected.length > 0; // a range, once something is selected
            if (!card || !(ev.ctrlKey || ev.metaKey || extend) || ev.target.closest("[data-action]")) {
                return;
            }
            ev.stopPropagation();
            ev.preventDefault();
            if (ev.shiftKey) {
                range(card.dataset.path);
            } else {
                toggle(card.dataset.path);
            }
        }, true);
        grid.addEventListener("keydown", function (ev) {
            var card = ev.target.closest(".edeck-card");
            if (card && ev.target === card && (ev.ctrlKey || ev.metaKey) && !ev.altKey && (ev.key || "").toLowerCase() === "a") {
                ev.preventDefault();
                selectAll();
                return;
            }
            if (!card || ev.target !== card || ev.ctrlKey || ev.altKey || ev.metaKey) {
                return;
            }
            if (ev.key === " ") {
                ev.preventDefault();
                if (ev.shiftKey) {
                    range(card.dataset.path);
                } else {
                    toggle(card.dataset.path);
                }
            } else if (ev.key === "c" && support.available) {
                ev.preventDefault();
                compare([card.dataset.path]);
            }
        });
        buildBar(deck);
        refreshSupport();
        // in the WebUI the checkpoint can change (or be loaded) at any time: ask again now
        // and then while the tab is in view, as the family is followed
        if (deck.hostName !== "standalone") {
            setInterval(function () {
                if (document.visibilityState === "visible" && deck.root.offsetParent) {
                    refreshSupport();
                }
            }, 5000);
        }
    }

    function refreshSupport() {
        return EDeck.api.request("GET", "/compare/support").then(function (s) {
            support = s;
            MAX = s.max_embeddings || MAX;
            (EDeck.hooks.support || []).forEach(function (fn) {
                fn(s);
            });
            setSelection(selected);
            if (EDeck.deck) {
                EDeck.deck.grid.nodes.forEach(function (card, path) {
                    var entry = EDeck.deck.byPath.get(path);
                    if (entry) {
                        decorate(card, entry);
                    }
                });
            }
            return s;
        }).catch(function () {
            return support;
        });
    }

    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.cardDecorate.push(decorate);
    EDeck.hooks.ready.push(ready);
    EDeck.hooks.cardClick.push(function (action, entry) {
        if (action === "compare") {
            compare([entry.path]);
        }
    });
    EDeck.compare = {
        selected: function () {
            return selected.slice();
        },
        setSelection: setSelection,
        selectAll: selectAll,
        follow: follow,
        toggle: toggle,
        support: function () {
            return support;
        },
        refreshSupport: refreshSupport,
        open: compare,
        reason: reason,
    };
})();
