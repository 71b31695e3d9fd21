/**
 * Embedding Deck — favourites: a ☆ on each card (★ when it is one; shown on hover, always
 * when on), `f` on a focused card, an item in the card's menu, and the toolbar's
 * "★ Favourites" that adds or takes away `fav:yes` in the search box (the query syntax
 * does the filtering, and the line under the toolbar says so). The server keeps them by
 * the file's hash (embedding_deck/favourites.py), so renames and moves keep them.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var FAV = /(^|\s)fav:(yes|true|1|on)(?=\s|$)/i;
    var filter = null;

    function decorate(card, entry) {
        var star = card.querySelector(".edeck-fav");
        if (entry.error) {
            if (star) {
                star.remove();
            }
            return;
        }
        if (!star) {
            star = document.createElement("button");
            star.type = "button";
            star.className = "edeck-fav";
            star.tabIndex = -1;
            star.dataset.action = "favourite";
            card.appendChild(star);
        }
        var on = !!entry.fav;
        star.textContent = on ? "★" : "☆";
        star.classList.toggle("edeck-fav-on", on);
        star.setAttribute("aria-pressed", String(on));
        star.setAttribute("aria-label", EDeck.t("Favourite: {name}", {name: entry.name}));
        star.title = EDeck.t(on ? "A favourite: click to remove it (f)" : "Add to favourites (f)");
    }

    function toggle(deck, entry) {
        EDeck.api.request("POST", "/favourite", {path: entry.path, on: !entry.fav}).then(function (res) {
            deck.updateEntry(res.row);
            if (FAV.test(deck.state.text)) {
                deck.apply(true); // the filtered view drops a card that is no longer one
            }
        }).catch(function (err) {
            deck.message(err.message);
        });
    }

    function showFilter(deck) {
        var on = FAV.test(deck.state.text);
        filter.setAttribute("aria-pressed", String(on));
        filter.classList.toggle("edeck-on", on);
    }

    function toggleFilter(deck) {
        var text = deck.state.text;
        var next = FAV.test(text) ? text.replace(FAV, " ").replace(/\s+/g, " ").trim() :
            (text.trim() + " fav:yes").trim();
        var search = deck.root.querySelector("#embedding_deck_search");
        search.value = next;
        search.dispatchEvent(new Event("input", {bubbles: true}));
    }

    function ready(deck) {
        filter = document.createElement("button");
        filter.type = "button";
        filter.id = "embedding_deck_fav_filter";
        filter.className = "edeck-button";
        filter.textContent = "★"; // an icon: the toolbar keeps one row inside the WebUI
        filter.title = EDeck.t("Show only favourites (fav:yes in the search)");
        filter.setAttribute("aria-label", EDeck.t("Favourites"));
        filter.setAttribute("aria-pressed", "false");
        filter.addEventListener("click", function () {
            toggleFilter(deck);
        });
        var folders = deck.root.querySelector("#embedding_deck_tree_toggle");
        folders.parentNode.insertBefore(filter, folders.nextSibling);
        deck.root.querySelector("#embedding_deck_search").addEventListener("input", function () {
            showFilter(deck);
        });
        showFilter(deck);
        deck.root.querySelector("#embedding_deck_grid").addEventListener("keydown", function (ev) {
            var card = ev.target.closest(".edeck-card");
            if (card && ev.target === card && ev.key === "f" && !ev.ctrlKey && !ev.altKey && !ev.metaKey) {
                var entry = deck.byPath.get(card.dataset.path);
                if (entry && !entry.error) {
                    ev.preventDefault();
                    toggle(deck, entry);
                }
            }
        });
    }

    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.cardDecorate.push(decorate);
    EDeck.hooks.ready.push(ready);
    EDeck.hooks.cardClick.push(function (action, entry, ev, card, deck) {
        if (action === "favourite" && !entry.error) {
            toggle(deck || EDeck.deck, entry);
        }
    });
    EDeck.favourites = {toggle: toggle};
})();
