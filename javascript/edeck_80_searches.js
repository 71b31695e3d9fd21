/**
 * Embedding Deck — saved searches (smart collections): "Save search" on the line under the
 * toolbar that shows while the search box has a query names the query with the sort,
 * and the folder tree lists the saved ones above the folders with their counts, which
 * follow every change to the library. A click runs one (query, sort and direction); ×
 * forgets it. The server keeps them (embedding_deck/saved_searches.py).
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var list = [];
    var listVersion = 0;
    var cache = {key: "", counts: []};
    var button = null;

    function lib() {
        return EDeck.library;
    }

    function setList(searches, deck) {
        list = searches || [];
        listVersion += 1;
        if (deck.state.tree) { // only the tree changes: the grid's cards stay as they are
            deck.drawTree();
        }
    }

    /** The tree's items: each saved search, its count (cached per library version), and
     * whether it is the query in the search box now. */
    function nodes(deck) {
        var key = deck.version + "|" + listVersion;
        if (cache.key !== key) {
            cache = {key: key, counts: list.map(function (s) {
                var parsed = EDeck.syntax.parse(s.text);
                return deck.entries.filter(function (e) {
                    return EDeck.syntax.test(parsed, e);
                }).length;
            })};
        }
        var now = deck.state.text.trim();
        return list.map(function (s, i) {
            return {name: s.name, text: s.text, count: cache.counts[i], active: s.text === now};
        });
    }

    function run(deck, name, forget) {
        var search = list.filter(function (s) {
            return s.name === name;
        })[0];
        if (!search) {
            return;
        }
        if (forget) {
            EDeck.api.request("POST", "/searches/delete", {name: name}).then(function (res) {
                setList(res.searches, deck);
            }).catch(function (err) {
                deck.message(err.message);
            });
            return;
        }
        deck.state.text = search.text;
        deck.state.sort = search.sort;
        deck.state.desc = search.desc;
        deck.sortedCache = null;
        deck.toolbar.changed("sort");
        showButton(deck);
    }

    function ask(deck) {
        var h = lib().h;
        var text = deck.state.text.trim();
        var name = h("input", {type: "text", class: "edeck-search-name", maxlength: "80",
            "aria-label": EDeck.t("Name of the saved search")});
        name.value = text.slice(0, 80);
        var save = lib().button("search-save", EDeck.t("Save"), "", "edeck-primary");
        var no = lib().button("search-no", EDeck.t("Cancel"));
        var form = h("form", {class: "edeck-confirm"}, [name, save, no]);
        save.type = "submit";
        form.addEventListener("submit", function (ev) {
            ev.preventDefault();
            var body = {name: name.value, text: text, sort: deck.state.sort, desc: deck.state.desc};
            EDeck.api.request("POST", "/searches", body).then(function (res) {
                lib().toast(EDeck.t("Saved the search {name}; it is in the folder tree.", {name: name.value.trim()}), false);
                if (!deck.state.tree) {
                    deck.state.tree = true;
                    deck.toolbar.changed("tree");
                }
                setList(res.searches, deck);
            }).catch(function (err) {
                lib().toast(EDeck.t(err.message), false);
            });
        });
        no.addEventListener("click", function () {
            lib().ui.toast.hidden = true;
        });
        lib().toast(EDeck.t("Save the search \"{query}\" as:", {query: text}), false, form);
        name.focus();
        name.select();
    }

    function showButton(deck) {
        button.hidden = !deck.state.text.trim();
    }

    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.ready.push(function (deck) {
        button = lib().h("button", {id: "embedding_deck_save_search", class: "edeck-button edeck-save-search", type: "button",
            hidden: "", text: EDeck.t("Save search"), title: EDeck.t("Save this search and sort; it shows in the folder tree")});
        button.addEventListener("click", function () {
            ask(deck);
        });
        deck.root.querySelector("#embedding_deck_query_hint").appendChild(button);
        deck.root.querySelector("#embedding_deck_search").addEventListener("input", function () {
            showButton(deck);
        });
        showButton(deck);
        deck.tree.onSearch = function (name, forget) {
            run(deck, name, forget);
        };
        EDeck.api.request("GET", "/searches").then(function (res) {
            setList(res.searches, deck);
        }).catch(function () {});
    });
    EDeck.searches = {nodes: nodes};
})();
