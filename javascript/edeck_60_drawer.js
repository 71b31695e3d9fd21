/**
 * Embedding Deck — the drawer: a button beside each negative prompt (txt2img, img2img)
 * opens the deck as an overlay over that tab, so "click in the negative prompt, pick a
 * card" works without leaving the tab. The deck's own root moves into the overlay and
 * back; nothing is rendered twice.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var TABS = ["txt2img", "img2img"];
    var overlay = null;
    var home = null;

    function makeOverlay() {
        overlay = document.createElement("div");
        overlay.id = "embedding_deck_drawer";
        overlay.className = "edeck-drawer";
        overlay.hidden = true;
        overlay.setAttribute("role", "dialog");
        overlay.setAttribute("aria-label", "Embeddings");
        var bar = document.createElement("div");
        bar.className = "edeck-drawer-bar";
        var title = document.createElement("span");
        title.className = "edeck-drawer-title";
        bar.appendChild(title);
        var close = document.createElement("button");
        close.type = "button";
        close.className = "edeck-button edeck-drawer-close";
        close.id = "embedding_deck_drawer_close";
        close.title = EDeck.t("Close (Esc)");
        close.textContent = "✕";
        close.addEventListener("click", closeDrawer);
        bar.appendChild(close);
        overlay.appendChild(bar);
        document.body.appendChild(overlay);
    }

    function openDrawer(tab) {
        var deck = EDeck.deck;
        if (!deck) {
            return;
        }
        if (!overlay) {
            makeOverlay();
        }
        if (!home) {
            home = document.createComment("embedding-deck-home");
            deck.root.parentNode.insertBefore(home, deck.root);
        }
        overlay.querySelector(".edeck-drawer-title").textContent = EDeck.t("Embeddings → {tab} negative prompt", {tab: tab});
        overlay.appendChild(deck.root);
        overlay.hidden = false;
        deck.drawerTab = tab;
        deck.apply(true);
        deck.root.querySelector("#embedding_deck_search").focus({preventScroll: true});
    }

    function closeDrawer() {
        var deck = EDeck.deck;
        if (!overlay || overlay.hidden || !deck) {
            return;
        }
        overlay.hidden = true;
        home.parentNode.insertBefore(deck.root, home);
        var tab = deck.drawerTab;
        deck.drawerTab = null;
        deck.apply(true);
        var neg = EDeck.caret.box(tab, "neg");
        if (neg && neg.offsetParent !== null) {
            neg.focus({preventScroll: true});
        }
    }

    function addButtons() {
        TABS.forEach(function (tab) {
            var wrap = EDeck.host.$("#" + tab + "_neg_prompt");
            if (!wrap || EDeck.host.$("#embedding_deck_drawer_" + tab)) {
                return;
            }
            var button = document.createElement("button");
            button.type = "button";
            button.id = "embedding_deck_drawer_" + tab;
            button.className = "edeck-drawer-button";
            button.title = EDeck.t("Pick embeddings for this negative prompt");
            button.textContent = EDeck.t("Embeddings");
            button.addEventListener("click", function () {
                openDrawer(tab);
            });
            wrap.appendChild(button);
        });
    }

    EDeck.layers.register({
        isOpen: function () {
            return !!overlay && !overlay.hidden;
        },
        close: closeDrawer,
    }, false);
    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.ready.push(addButtons);
    EDeck.drawer = {open: openDrawer, close: closeDrawer};
})();
