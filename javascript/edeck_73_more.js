/**
 * Embedding Deck — the toolbar's More on narrow screens: the rarer tools (class
 * edeck-foldable: Convert n refused…, Duplicates, Trash) leave the toolbar at 640 px and
 * narrower (style.css) and appear as items of this menu, which presses the hidden button.
 * On a phone that saves a toolbar row for the cards.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});

    function items(root) {
        var tools = root.querySelectorAll(".edeck-tools .edeck-foldable");
        return Array.prototype.filter.call(tools, function (b) {
            return !b.hidden;
        }).map(function (b) {
            var on = b.getAttribute("aria-pressed") === "true";
            return {
                name: b.id,
                label: (on ? "✓ " : "") + b.textContent,
                title: b.title,
                disabled: b.disabled,
                run: function () {
                    b.click();
                },
            };
        });
    }

    function build(deck) {
        var more = document.createElement("button");
        more.type = "button";
        more.id = "embedding_deck_more";
        more.className = "edeck-button edeck-more-tools";
        more.textContent = EDeck.t("More ▾");
        more.title = EDeck.t("More tools");
        more.setAttribute("aria-haspopup", "menu");
        more.setAttribute("aria-expanded", "false");
        more.addEventListener("click", function () {
            if (EDeck.menu.isOpen() || EDeck.menu.justClosedFrom(more)) {
                EDeck.menu.close();
                return;
            }
            more.setAttribute("aria-expanded", "true");
            EDeck.menu.open(deck.root, {below: more.getBoundingClientRect()}, items(deck.root), EDeck.t("More tools"), more,
                function () {
                    more.setAttribute("aria-expanded", "false");
                });
        });
        var tools = deck.root.querySelector(".edeck-tools");
        tools.insertBefore(more, deck.root.querySelector("#embedding_deck_refresh"));
    }

    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.ready.push(build);
})();
