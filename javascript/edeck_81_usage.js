/**
 * Embedding Deck — usage statistics in the page: a "used n×" badge on cards (the tooltip
 * splits positive / negative and says when it was last used), a "Used" row in the
 * editor's facts, and "Read my history" in
 * Fill in ▾, which asks the server to read the infotexts of the images already in the
 * outputs folders (once per file), with progress and Cancel, then reloads the counts.
 * New images the WebUI saves are counted by the server as they are saved.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var deck = null;

    function lib() {
        return EDeck.library;
    }

    function decorate(card, entry) {
        var badges = card.querySelector(".edeck-badges");
        var old = card.querySelector(".edeck-uses");
        if (old) {
            old.remove();
        }
        if (!badges || !entry.uses) {
            return;
        }
        var badge = document.createElement("span");
        badge.className = "edeck-badge edeck-uses";
        badge.textContent = EDeck.t("{n}×", {n: entry.uses});
        badge.title = EDeck.t("Used {n} times: {pos} in positive prompts, {neg} in negative ones; last on {date}", {
            n: entry.uses, pos: entry.used_pos || 0, neg: entry.used_neg || 0, date: EDeck.format.date(entry.last_used)});
        badges.appendChild(badge);
    }

    /** The editor's facts get a "Used" row: the same counts as the badge, or never. */
    function editorFacts(modal, cur) {
        var table = modal.querySelector(".edeck-facts");
        var row = cur.row || {};
        if (!table || row.error) {
            return;
        }
        var text = row.uses ? EDeck.t("Used {n} times: {pos} in positive prompts, {neg} in negative ones; last on {date}", {
            n: row.uses, pos: row.used_pos || 0, neg: row.used_neg || 0, date: EDeck.format.date(row.last_used)}) :
            EDeck.t("Not in any image counted so far.");
        var th = document.createElement("th");
        th.textContent = EDeck.t("Used");
        var td = document.createElement("td");
        td.dataset.fact = "Used";
        td.textContent = text;
        var tr = document.createElement("tr");
        tr.appendChild(th);
        tr.appendChild(td);
        table.appendChild(tr);
    }

    function show(status) {
        var v = {read: status.read || 0, images: status.images || 0, uses: status.with_uses || 0};
        if (status.state === "running") {
            var text = EDeck.t("History: {read} new images read of {images} seen…", v);
            if (!lib().ui.toast.querySelector("[data-lib=usage-cancel]") || lib().ui.toast.hidden) {
                var stop = lib().button("usage-cancel", EDeck.t("Cancel"));
                stop.addEventListener("click", function () {
                    stop.disabled = true;
                    EDeck.api.request("POST", "/usage/backfill/cancel", {}).then(show);
                });
                lib().toast(text, false, stop);
            } else {
                lib().ui.toastText.textContent = text;
            }
        } else if (status.state === "done" || status.state === "cancelled") {
            var done = status.state === "done";
            lib().toast(EDeck.t(done ?
                "History: read {read} new images, {uses} with embeddings; the counts are on the cards." :
                "History: cancelled after {read} new images; what was read is counted.", v), false);
            deck.refresh();
        } else if (status.state === "failed") {
            lib().toast(EDeck.t(status.message || "Failed"), false);
        }
    }

    function start() {
        EDeck.api.request("POST", "/usage/backfill", {}).then(function (status) {
            show(status);
            EDeck.jobs.follow("/usage/backfill", show);
        }).catch(function (err) {
            lib().toast(EDeck.t(err.message), false);
        });
    }

    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    EDeck.hooks.cardDecorate.push(decorate);
    EDeck.hooks.editorFill = EDeck.hooks.editorFill || [];
    EDeck.hooks.editorFill.push(editorFacts);
    EDeck.hooks.ready.push(function (d) {
        deck = d;
        var button = lib().h("button", {id: "embedding_deck_read_history", class: "edeck-button edeck-fillable", type: "button",
            text: EDeck.t("Read my history"), hidden: "",
            title: EDeck.t("Count how often each embedding was used in the images already in the outputs folders")});
        button.addEventListener("click", start);
        d.root.querySelector(".edeck-tools").insertBefore(button, d.root.querySelector("#embedding_deck_refresh"));
        EDeck.api.request("GET", "/usage/backfill").then(function (status) {
            button.hidden = !status.folders; // the standalone page without --outputs-dir has none
            if (status.state === "running") {
                show(status);
                EDeck.jobs.follow("/usage/backfill", show);
            }
        }).catch(function () {});
    });
})();
