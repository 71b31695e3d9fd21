/**
 * Embedding Deck — "Make previews: n without one" (in Fill in ▾; More on a phone): asks the
 * server which embeddings the loaded checkpoint can use and why the others are skipped,
 * takes the settings once in the comparison panel (one prompt, seed and size for all),
 * then follows the job: progress with the embedding being generated and Cancel, each card
 * updated when its preview is made, a summary with what was skipped and why. The server
 * does the work (embedding_deck_app/preview_batch.py); a job a restart cut short carries
 * on when this page first asks for its status. Hidden where nothing can generate.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var deck = null;
    var button = null;
    var polling = false;
    var countedFrom = null;

    function lib() {
        return EDeck.library;
    }

    function withoutPreview() {
        return deck.entries.filter(function (e) {
            return !e.error && !e.preview;
        });
    }

    function recount(list) {
        if (list === countedFrom || !button) {
            return;
        }
        countedFrom = list;
        var n = withoutPreview().length;
        var support = EDeck.compare ? EDeck.compare.support() : {};
        button.hidden = !n || polling || !support.available;
        button.textContent = EDeck.t("Make previews: {n} without one", {n: n});
    }

    function reasons(list) {
        return list.map(function (item) {
            return lib().baseName(item[0]) + " — " + EDeck.t(item[1]);
        });
    }

    function ask() {
        EDeck.api.request("GET", "/previews/plan").then(function (plan) {
            var n = plan.usable.length;
            var skipped = reasons(plan.unusable);
            var text = n ? EDeck.t("A preview for each of {n} embeddings: the left half without it, the right half with it, generated with the loaded {family} checkpoint, one after another in the WebUI's queue (its Interrupt stops them).",
                {n: n, family: plan.family}) : EDeck.t("The loaded checkpoint can use none of the embeddings without a preview.");
            if (skipped.length) {
                text += " " + EDeck.t("Skipped ({n}): {list}", {n: skipped.length, list: skipped.join(" ")});
            }
            if (!n) {
                lib().toast(text, false);
                return;
            }
            EDeck.comparePanel.open(plan.usable, null, {title: EDeck.t("Make previews"), chosen: text,
                runLabel: EDeck.t("Make {n} previews", {n: n}), run: start});
        }).catch(function (err) {
            lib().toast(EDeck.t(err.message), false);
        });
    }

    function start(base, separator) {
        return EDeck.api.request("POST", "/previews/make", {base: base, separator: separator}).then(function (status) {
            show(status);
            poll();
        });
    }

    function cancelButton() {
        var stop = lib().button("previews-cancel", EDeck.t("Cancel"));
        stop.addEventListener("click", function () {
            stop.disabled = true;
            EDeck.api.request("POST", "/previews/make/cancel", {}).then(show);
        });
        return stop;
    }

    function show(status) {
        (status.rows || []).forEach(function (row) {
            deck.updateEntry(row);
        });
        if (status.state === "running") {
            var text = EDeck.t("Previews: {i} of {n} — {name}", {i: Math.min(status.done + 1, status.total), n: status.total,
                name: status.current ? lib().baseName(status.current) : ""});
            if (!lib().ui.toast.querySelector("[data-lib=previews-cancel]") || lib().ui.toast.hidden) {
                lib().toast(text, false, cancelButton());
            } else {
                lib().ui.toastText.textContent = text;
            }
        } else if (status.state === "done" || status.state === "cancelled") {
            lib().toast(summary(status), false);
        }
    }

    function summary(status) {
        var numbers = {made: status.made, skipped: status.skipped.length, failed: status.failed.length, done: status.done,
            total: status.total, why: EDeck.t(status.message || "Cancelled.")};
        var text = status.state === "done" ?
            EDeck.t("Previews: made {made}, skipped {skipped}, failed {failed}.", numbers) :
            EDeck.t("Previews: stopped after {done} of {total} ({why}); made {made}, skipped {skipped}, failed {failed}.", numbers);
        var why = reasons(status.failed.concat(status.skipped)).slice(0, 3);
        return text + (why.length ? " " + why.join(" ") : "");
    }

    function poll() {
        if (polling) {
            return;
        }
        polling = true;
        button.hidden = true;
        EDeck.jobs.follow("/previews/make", show, function () {
            polling = false;
            countedFrom = null;
            recount(deck.entries);
        });
    }

    EDeck.hooks = EDeck.hooks || {cardClick: [], cardDecorate: [], ready: []};
    // whether the WebUI can generate follows its checkpoint (edeck_75 asks every 5 s)
    EDeck.hooks.support = EDeck.hooks.support || [];
    EDeck.hooks.support.push(function () {
        countedFrom = null;
        if (deck) {
            recount(deck.entries);
        }
    });
    EDeck.hooks.ready.push(function (d) {
        deck = d;
        button = lib().h("button", {id: "embedding_deck_make_previews", class: "edeck-button edeck-fillable", type: "button",
            hidden: "", title: EDeck.t("Generate a without | with preview for every embedding that has none")});
        button.addEventListener("click", ask);
        d.root.querySelector(".edeck-tools").insertBefore(button, d.root.querySelector("#embedding_deck_refresh"));
        var sorted = d.sorted;
        d.sorted = function () {
            var list = sorted.call(d);
            recount(d.entries);
            return list;
        };
        var updateEntry = d.updateEntry;
        d.updateEntry = function (row) {
            updateEntry.call(d, row);
            countedFrom = null;
            recount(d.entries);
        };
        recount(d.entries);
        EDeck.api.request("GET", "/previews/make").then(function (status) {
            if (status.state === "running") {
                show(status);
                poll();
            }
        }).catch(function () {});
    });
})();
