/**
 * Embedding Deck — the toolbar's two menu buttons. "Fill in ▾" holds the jobs that fill in
 * what cards lack (class edeck-fillable: Find on Civitai…, Check for updates, Make
 * previews…): three long buttons would take a second toolbar row inside the WebUI. "More ▾"
 * appears at 640 px and narrower (style.css), where the rarer tools (class edeck-foldable:
 * Convert n refused…, Duplicates, Trash) and the Fill in items leave the toolbar. Each
 * item presses its hidden button; a menu button shows only while it has items.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});

    function items(root, selector) {
        var tools = root.querySelectorAll(selector);
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

    function menuButton(deck, id, cls, label, title, selector) {
        var button = document.createElement("button");
        button.type = "button";
        button.id = id;
        button.className = "edeck-button " + cls;
        button.textContent = label;
        button.title = title;
        button.setAttribute("aria-haspopup", "menu");
        button.setAttribute("aria-expanded", "false");
        button.addEventListener("click", function () {
            if (EDeck.menu.isOpen() || EDeck.menu.justClosedFrom(button)) {
                EDeck.menu.close();
                return;
            }
            button.setAttribute("aria-expanded", "true");
            EDeck.menu.open(deck.root, {below: button.getBoundingClientRect()}, items(deck.root, selector), title, button,
                function () {
                    button.setAttribute("aria-expanded", "false");
                });
        });
        var tools = deck.root.querySelector(".edeck-tools");
        tools.insertBefore(button, deck.root.querySelector("#embedding_deck_refresh"));
        return button;
    }

    /** Show the Fill in button only while one of its jobs is offered. */
    function follow(deck, button) {
        var tools = deck.root.querySelector(".edeck-tools");
        var update = function () {
            var hide = !items(deck.root, ".edeck-tools .edeck-fillable").length;
            if (button.hidden !== hide) { // setting it unchanged would notify this observer again
                button.hidden = hide;
            }
        };
        new MutationObserver(update).observe(tools, {attributes: true, attributeFilter: ["hidden"], subtree: true, childList: true});
        update();
    }

    function build(deck) {
        var fill = menuButton(deck, "embedding_deck_fill", "edeck-fill-tools", EDeck.t("Fill in ▾"),
            EDeck.t("Fill in what the cards lack"), ".edeck-tools .edeck-fillable");
        follow(deck, fill);
        menuButton(deck, "embedding_deck_more", "edeck-more-tools", EDeck.t("More ▾"), EDeck.t("More tools"),
            ".edeck-tools .edeck-foldable, .edeck-tools .edeck-fillable");
    }

    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.ready.push(build);
})();
