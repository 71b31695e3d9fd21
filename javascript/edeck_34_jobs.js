/**
 * Embedding Deck — following a server job that works many embeddings (the Civitai bulk
 * lookup, Make previews): EDeck.jobs.follow(url, onStatus) asks GET url?since=n every
 * 800 ms while the job runs and hands each status to onStatus; "since" counts the changed
 * rows the page has already seen, so each card is updated once. Network failures retry
 * more slowly; the job itself runs on the server whatever the page does.
 */
(function () {
    "use strict";
    var EDeck = (window.EDeck = window.EDeck || {});
    var POLL_MS = 800;

    /** Poll url until the job stops running; onStatus(status) for each answer, done() at the end. */
    function follow(url, onStatus, done) {
        var seen = 0;
        var step = function () {
            EDeck.api.request("GET", url + "?since=" + seen).then(function (status) {
                seen = status.seen === undefined ? seen : status.seen;
                onStatus(status);
                if (status.state === "running") {
                    setTimeout(step, POLL_MS);
                } else if (done) {
                    done(status);
                }
            }).catch(function () {
                setTimeout(step, POLL_MS * 4);
            });
        };
        setTimeout(step, POLL_MS);
    }

    EDeck.jobs = {follow: follow, POLL_MS: POLL_MS};
})();
