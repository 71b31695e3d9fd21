/**
 * Embedding Deck — a card's menu: edit, insert into (or remove from) the negative or the
 * positive prompt, compare, select. Opened by a long press on touch screens, a right-click,
 * the Menu key or Shift+F10 on a focused card, and the card's ⋯ button (which replaces
 * the small buttons on coarse pointers, style.css).
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var LONG_PRESS_MS = 500;
    var SLOP_PX = 10;
    var press = null; // {timer, x, y, card}
    var swallowClickUntil = 0;

    function inPrompt(deck, which, entry) {
        var ta = EDeck.caret.box(deck.drawerTab || deck.state.target, which);
        return !!ta && EDeck.prompt.presence(ta.value, entry.name) !== null;
    }

    function itemsFor(deck, entry, card) {
        var run = function (name) {
            return function () {
                deck.cardAction(name, card);
            };
        };
        var list = [{name: "edit", label: EDeck.t("Edit…"), run: run("edit")}];
        if (entry.error) {
            return list;
        }
        var inNeg = inPrompt(deck, "neg", entry);
        var inPos = inPrompt(deck, "pos", entry);
        list.push({
            name: "negative",
            label: EDeck.t(inNeg ? "Remove from the negative prompt" : "Insert into the negative prompt"),
            run: run("negative"),
        }, {
            name: "positive",
            label: EDeck.t(inPos ? "Remove from the positive prompt" : "Insert into the positive prompt"),
            run: run("positive"),
        });
        list.push({name: "favourite", label: EDeck.t(entry.fav ? "Remove from favourites" : "Add to favourites"),
            run: run("favourite")});
        if (EDeck.compare) {
            var can = EDeck.compare.support().available;
            var chosen = EDeck.compare.selected().indexOf(entry.path) !== -1;
            var chosenLabel = EDeck.t(chosen ? "Deselect" : "Select");
            list.push({name: "compare", label: EDeck.t("Compare"), run: run("compare"), disabled: !can,
                note: can ? "" : EDeck.compare.reason()});
            list.push({name: "select", label: chosenLabel, run: function () {
                EDeck.compare.toggle(entry.path);
            }}, {name: "select-all", label: EDeck.t("Select all shown"), run: EDeck.compare.selectAll});
        }
        return list;
    }

    function openFor(card, at) {
        var deck = EDeck.deck;
        var entry = deck && deck.byPath.get(card.dataset.path);
        if (!entry) {
            return;
        }
        deck.grid.setActive(+card.dataset.index);
        EDeck.menu.open(deck.root, at, itemsFor(deck, entry, card), entry.name, card);
    }

    function cancelPress() {
        if (press) {
            clearTimeout(press.timer);
            press = null;
        }
    }

    function bind(deck) {
        var grid = deck.root.querySelector("#embedding_deck_grid");
        grid.addEventListener("pointerdown", function (ev) {
            var card = ev.target.closest(".edeck-card");
            cancelPress();
            swallowClickUntil = 0; // a new press: a long press that made no click is over
            if (!card || ev.pointerType === "mouse" || ev.target.closest("[data-action]")) {
                return;
            }
            press = {x: ev.clientX, y: ev.clientY, card: card, timer: setTimeout(function () {
                var p = press;
                press = null;
                swallowClickUntil = Date.now() + 1500;
                openFor(p.card, {x: p.x, y: p.y});
            }, LONG_PRESS_MS)};
        });
        grid.addEventListener("pointermove", function (ev) {
            if (press && Math.hypot(ev.clientX - press.x, ev.clientY - press.y) > SLOP_PX) {
                cancelPress();
            }
        });
        ["pointerup", "pointercancel"].forEach(function (type) {
            grid.addEventListener(type, cancelPress);
        });
        // the click that ends a long press must not also insert the name, nor choose the menu
        // item that opened under the finger (a menu near the foot of the screen moves up)
        document.addEventListener("click", function (ev) {
            if (Date.now() < swallowClickUntil) {
                swallowClickUntil = 0;
                ev.stopImmediatePropagation();
                ev.preventDefault();
            }
        }, true);
        grid.addEventListener("contextmenu", function (ev) {
            var card = ev.target.closest(".edeck-card");
            if (!card) {
                return;
            }
            ev.preventDefault();
            if (EDeck.menu.isOpen() || Date.now() < swallowClickUntil) {
                return; // the long press opened it already (Android fires both)
            }
            var r = card.getBoundingClientRect();
            var fromKeys = ev.button !== 2 && !ev.clientX && !ev.clientY;
            openFor(card, fromKeys ? {x: r.left + 8, y: r.top + 8} : {x: ev.clientX, y: ev.clientY});
        });
        grid.addEventListener("keydown", function (ev) {
            var card = ev.target.closest(".edeck-card");
            if (card && ev.target === card && (ev.key === "ContextMenu" || (ev.key === "F10" && ev.shiftKey))) {
                ev.preventDefault();
                var r = card.getBoundingClientRect();
                openFor(card, {x: r.left + 8, y: r.top + 8});
            }
        });
    }

    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.ready.push(bind);
    EDeck.hooks.cardClick.push(function (action, entry, ev, card) {
        if (action === "menu") {
            openFor(card, {below: card.querySelector(".edeck-more").getBoundingClientRect()});
        }
    });
    EDeck.cardMenu = {open: openFor};
})();
