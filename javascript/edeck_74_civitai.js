/**
 * Embedding Deck — Find on Civitai for many files: the toolbar's "Find on Civitai: n without
 * info" (in More on a phone), its confirmation (all of them, or only the selected cards),
 * "Check for updates" (newer versions of the looked-up files, one request each),
 * progress with the file being looked up and Cancel, the cards updated as files are found,
 * and the summary. The server runs the job (embedding_deck_app/civitai_bulk.py); a job a
 * restart cut short carries on when this page first asks for its status.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var deck = null;
    var button = null;
    var updates = null;
    var polling = false;
    var countedFrom = null;

    function lib() {
        return EDeck.library;
    }

    function withoutInfo() {
        return deck.entries.filter(function (e) {
            return !e.error && !e.civitai;
        });
    }

    function recount(list) {
        if (list === countedFrom || !button) {
            return;
        }
        countedFrom = list;
        var n = withoutInfo().length;
        var off = deck.settings.edeck_civitai_enabled === false || polling;
        button.hidden = !n || off;
        button.textContent = EDeck.t("Find on Civitai: {n} without info", {n: n});
        updates.hidden = off || !deck.entries.some(function (e) {
            return e.civitai;
        });
    }

    function ask() {
        var n = withoutInfo().length;
        var selected = EDeck.compare ? EDeck.compare.selected() : [];
        var h = lib().h;
        var all = lib().button("civitai-all", EDeck.t("Look up {n}", {n: n}), "", "edeck-primary");
        var group = h("span", {class: "edeck-confirm", role: "group"}, [all]);
        if (selected.length) {
            var some = lib().button("civitai-selected", EDeck.t("Only the {n} selected", {n: selected.length}));
            group.appendChild(some);
            some.addEventListener("click", function () {
                start(selected);
            });
        }
        var no = lib().button("civitai-no", EDeck.t("Cancel"));
        group.appendChild(no);
        lib().toast(EDeck.t("Look up {n} files on Civitai? Only each file's SHA-256 is sent, one request at a time.", {n: n}),
            false, group);
        all.addEventListener("click", function () {
            start(null);
        });
        no.addEventListener("click", function () {
            lib().ui.toast.hidden = true;
        });
        all.focus();
    }

    function start(paths, kind) {
        var body = paths ? {paths: paths} : {};
        body.kind = kind || "lookup";
        EDeck.api.request("POST", "/civitai/bulk", body).then(function (status) {
            show(status);
            poll();
        }).catch(function (err) {
            lib().toast(EDeck.t(err.message), false);
        });
    }

    function cancelButton() {
        var stop = lib().button("civitai-cancel", EDeck.t("Cancel"));
        stop.addEventListener("click", function () {
            stop.disabled = true;
            EDeck.api.request("POST", "/civitai/bulk/cancel", {}).then(show);
        });
        return stop;
    }

    function show(status) {
        (status.rows || []).forEach(function (row) {
            deck.updateEntry(row);
        });
        if (status.state === "running") {
            var name = status.current ? lib().baseName(status.current) : "";
            var text = status.waiting ?
                EDeck.t("Civitai: {i} of {n} — Civitai asks to wait {s} s", {i: status.done + 1, n: status.total, s: status.waiting}) :
                EDeck.t("Civitai: {i} of {n} — {name}", {i: Math.min(status.done + 1, status.total), n: status.total, name: name});
            if (!polling || !lib().ui.toast.querySelector("[data-lib=civitai-cancel]")) {
                lib().toast(text, false, cancelButton());
            } else {
                lib().ui.toastText.textContent = text;
            }
            return;
        }
        if (status.state === "done" || status.state === "cancelled") {
            var failed = (status.failed || []).map(function (f) {
                return lib().baseName(f[0]) + ": " + EDeck.t(f[1]);
            });
            var finished = status.state === "done";
            var numbers = {found: status.found, missing: status.missing, failed: failed.length, done: status.done, total: status.total};
            var summary = status.kind === "updates" ? EDeck.t(finished ?
                "Civitai: {found} with a newer version, {missing} up to date, failed {failed}." :
                "Civitai: cancelled after {done} of {total}; {found} with a newer version, {missing} up to date, failed {failed}.",
            numbers) : EDeck.t(finished ?
                "Civitai: found {found}, not on Civitai {missing}, failed {failed}." :
                "Civitai: cancelled after {done} of {total}; found {found}, not on Civitai {missing}, failed {failed}.",
            numbers);
            lib().toast(summary + (failed.length ? " " + failed.slice(0, 3).join("; ") : ""), false);
        }
    }

    function poll() {
        if (polling) {
            return;
        }
        polling = true;
        button.hidden = true;
        updates.hidden = true;
        EDeck.jobs.follow("/civitai/bulk", show, function () {
            polling = false;
            countedFrom = null;
            recount(deck.entries);
        });
    }

    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.ready.push(function (d) {
        deck = d;
        button = lib().h("button", {id: "embedding_deck_civitai_all", class: "edeck-button edeck-fillable", type: "button", hidden: "",
            title: EDeck.t("Look up every file without Civitai info on Civitai, one at a time (only the SHA-256 is sent)")});
        button.addEventListener("click", ask);
        updates = lib().h("button", {id: "embedding_deck_civitai_updates", class: "edeck-button edeck-fillable", type: "button",
            hidden: "", text: EDeck.t("Check for updates"),
            title: EDeck.t("Ask Civitai whether the looked-up embeddings have newer versions (one request each)")});
        updates.addEventListener("click", function () {
            start(null, "updates");
        });
        var tools = d.root.querySelector(".edeck-tools");
        var before = d.root.querySelector("#embedding_deck_duplicates") || d.root.querySelector("#embedding_deck_refresh");
        tools.insertBefore(button, before);
        tools.insertBefore(updates, before);
        var sorted = d.sorted;
        d.sorted = function () {
            var list = sorted.call(d);
            recount(d.entries);
            return list;
        };
        recount(d.entries);
        // one card changed (the editor's lookup, a bulk result): count again
        var updateEntry = d.updateEntry;
        d.updateEntry = function (row) {
            updateEntry.call(d, row);
            countedFrom = null;
            recount(d.entries);
        };
        // a job from before a reload or a restart: show it, and the server carries on
        EDeck.api.request("GET", "/civitai/bulk").then(function (status) {
            if (status.state === "running") {
                show(status);
                poll();
            }
        }).catch(function () {});
    });
})();
