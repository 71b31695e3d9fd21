/**
 * Embedding Deck — toolbar state: search, sort, direction, folder, tree view, the
 * incompatible toggle and the target tab; kept in localStorage so it survives a refresh
 * and a page reload.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var KEY = "edeck:state";

    function load(defaults) {
        var state = Object.assign({}, defaults);
        try {
            var saved = JSON.parse(window.localStorage.getItem(KEY) || "null");
            if (saved && typeof saved === "object") {
                Object.keys(defaults).forEach(function (k) {
                    if (typeof saved[k] === typeof defaults[k]) {
                        state[k] = saved[k];
                    }
                });
            }
        } catch (err) {
            // private mode or a corrupt value: fall back to the defaults
        }
        if (EDeck.query.SORT_KEYS.indexOf(state.sort) === -1) {
            state.sort = "path";
        }
        return state;
    }

    function save(state) {
        try {
            window.localStorage.setItem(KEY, JSON.stringify(state));
        } catch (err) {
            // storage full or disabled: the state just does not persist
        }
    }

    /** Wire the toolbar controls to state; onChange(what) runs after every change. */
    function bind(root, state, onChange) {
        var $ = function (id) {
            return root.querySelector("#" + id);
        };
        var search = $("embedding_deck_search");
        var sort = $("embedding_deck_sort");
        var dir = $("embedding_deck_sort_dir");
        var tree = $("embedding_deck_tree_toggle");
        var hide = $("embedding_deck_hide_incompatible");
        var target = $("embedding_deck_target");

        function show() {
            search.value = state.text;
            sort.value = state.sort;
            dir.textContent = state.desc ? "↓" : "↑";
            dir.title = EDeck.t(state.desc ? "Descending" : "Ascending");
            dir.dataset.desc = String(state.desc);
            tree.setAttribute("aria-pressed", String(state.tree));
            tree.classList.toggle("edeck-on", state.tree);
            hide.checked = state.hideIncompatible;
            target.value = state.target;
        }

        function changed(what) {
            save(state);
            show();
            onChange(what);
        }

        var saveTimer = null;
        search.addEventListener("input", function () {
            // a keystroke touches nothing else in the toolbar, and stores the text a
            // moment later (one localStorage write for a burst of keys)
            state.text = search.value;
            clearTimeout(saveTimer);
            saveTimer = setTimeout(function () {
                save(state);
            }, 300);
            onChange("search");
        });
        window.addEventListener("pagehide", function () {
            save(state);
        });
        sort.addEventListener("change", function () {
            if (/^(uses|last_used)$/.test(sort.value) && state.sort !== sort.value) {
                state.desc = true; // "most used" and "last used" read from the top
            }
            state.sort = sort.value;
            changed("sort");
        });
        dir.addEventListener("click", function () {
            state.desc = !state.desc;
            changed("sort");
        });
        tree.addEventListener("click", function () {
            state.tree = !state.tree;
            changed("tree");
        });
        hide.addEventListener("change", function () {
            state.hideIncompatible = hide.checked;
            changed("filter");
        });
        target.addEventListener("change", function () {
            state.target = target.value;
            state.targetChosen = true;
            changed("target");
        });
        show();
        return {show: show, changed: changed};
    }

    EDeck.toolbar = {load: load, save: save, bind: bind};
})();
