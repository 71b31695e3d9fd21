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
    var PHONE_PX = 640; // style.css's narrow breakpoint

    /**
     * The drawer is its own shadow host (bar, title, ✕ and a slot) inside the host's
     * gradio container, so it inherits the page's font and theme variables; the deck's
     * shadow host moves in as its light child and back out on close.
     */
    function makeOverlay() {
        var sh = EDeck.host.shadowHost("embedding_deck_drawer", "edeck-drawer");
        overlay = sh.el;
        overlay.hidden = true;
        overlay.setAttribute("role", "dialog");
        // named by aria-label: aria-labelledby cannot reach the title inside its own shadow root
        var bar = document.createElement("div");
        bar.className = "edeck-drawer-bar";
        var title = document.createElement("h2");
        title.className = "edeck-drawer-title";
        title.id = "embedding_deck_drawer_title";
        bar.appendChild(title);
        var close = document.createElement("button");
        close.type = "button";
        close.className = "edeck-button edeck-drawer-close";
        close.id = "embedding_deck_drawer_close";
        close.title = EDeck.t("Close (Esc)");
        close.setAttribute("aria-label", EDeck.t("Close (Esc)"));
        close.textContent = "✕";
        close.addEventListener("click", closeDrawer);
        bar.appendChild(close);
        sh.shadow.appendChild(bar);
        var prompt = document.createElement("p");
        prompt.className = "edeck-drawer-prompt";
        prompt.id = "embedding_deck_drawer_prompt";
        sh.shadow.appendChild(prompt);
        sh.shadow.appendChild(document.createElement("slot"));
        (EDeck.host.$(".gradio-container") || document.body).appendChild(overlay);
        return sh.ready;
    }

    /**
     * Never over the prompt box it edits, never off-screen: below the box (scrolled near
     * the top first when needed) as a sheet of up to 760 px on the right, else beside it.
     */
    function place(tab) {
        var wrap = EDeck.host.$("#" + tab + "_neg_prompt");
        var W = window.innerWidth;
        var H = window.innerHeight;
        var MIN = 300;
        var box = {top: 0, left: Math.max(0, W - 760), width: Math.min(760, W)};
        // a phone: the whole screen (a strip below the box left a quarter of it for cards);
        // the prompt's text shows in the drawer instead (showPrompt)
        overlay.classList.toggle("edeck-drawer-full", W <= PHONE_PX);
        if (wrap && W > PHONE_PX) {
            var r = wrap.getBoundingClientRect();
            if (H - r.bottom < MIN) {
                wrap.scrollIntoView({block: "start"});
                r = wrap.getBoundingClientRect();
            }
            if (H - r.bottom >= MIN) {
                box.top = Math.max(0, r.bottom + 4);
            } else if (W - r.right >= MIN) {
                box.left = r.right + 8;
                box.width = W - box.left;
            } else {
                box.top = Math.max(0, H - MIN);
            }
        }
        overlay.style.top = Math.round(box.top) + "px";
        overlay.style.left = Math.round(box.left) + "px";
        overlay.style.width = Math.round(box.width) + "px";
    }

    function openDrawer(tab) {
        var deck = EDeck.deck;
        if (!deck) {
            return;
        }
        var ready = overlay ? Promise.resolve() : makeOverlay();
        var hostEl = EDeck.shadowHost;
        if (!home) {
            home = document.createComment("embedding-deck-home");
            hostEl.parentNode.insertBefore(home, hostEl);
        }
        var title = EDeck.t("Embeddings → {tab} negative prompt", {tab: tab});
        overlay.shadowRoot.querySelector(".edeck-drawer-title").textContent = title;
        overlay.setAttribute("aria-label", title);
        overlay.appendChild(hostEl);
        deck.root.classList.add("edeck-in-drawer");
        place(tab);
        overlay.hidden = false;
        deck.drawerTab = tab;
        showPrompt();
        deck.apply(true);
        deck.root.querySelector("#embedding_deck_search").focus({preventScroll: true});
        return ready;
    }

    function closeDrawer() {
        var deck = EDeck.deck;
        if (!overlay || overlay.hidden || !deck) {
            return;
        }
        overlay.hidden = true;
        home.parentNode.insertBefore(EDeck.shadowHost, home);
        deck.root.classList.remove("edeck-in-drawer");
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
    // made (hidden) at once, so its stylesheet is in before the first open: a drawer made
    // on the click showed the browser's own button font until the sheet arrived
    EDeck.hooks.ready.push(function () {
        if (!overlay && EDeck.host.$("#txt2img_neg_prompt, #img2img_neg_prompt")) {
            makeOverlay();
        }
    });
    /** On a full-screen drawer, the end of the prompt it edits, as one line above the deck. */
    function showPrompt() {
        var deck = EDeck.deck;
        if (!overlay || overlay.hidden || !deck || !deck.drawerTab) {
            return;
        }
        var line = overlay.shadowRoot.querySelector(".edeck-drawer-prompt");
        var ta = EDeck.caret.box(deck.drawerTab, "neg");
        var text = ta ? ta.value.replace(/\s+/g, " ").trim() : "";
        line.textContent = text.length > 120 ? "…" + text.slice(-120) : text || EDeck.t("(the negative prompt is empty)");
        line.title = ta ? ta.value : "";
    }

    EDeck.drawer = {open: openDrawer, close: closeDrawer, showPrompt: showPrompt};
})();
