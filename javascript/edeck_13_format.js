/**
 * Embedding Deck — PURE text formatting for cards and the status line.
 */
(function (root) {
    "use strict";

    // one translator for the pure files: edeck_12_query.js (loaded just before this one)
    var tr = (typeof module === "object" && module.exports ? require("./edeck_12_query.js") : root.EDeck.query).tr;

    function size(bytes) {
        if (bytes === null || bytes === undefined) {
            return "";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return (bytes / 1024).toFixed(1) + " KB";
        }
        return (bytes / 1024 / 1024).toFixed(1) + " MB";
    }

    function date(seconds) {
        if (!seconds) {
            return "";
        }
        return new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ");
    }

    /** "12 of 40 embeddings" */
    function status(visible, total) {
        if (visible === total) {
            return tr(total === 1 ? "{n} embedding" : "{n} embeddings", {n: total});
        }
        return tr("{visible} of {total} embeddings", {visible: visible, total: total});
    }

    /** Tooltip of the vector badge: what the embedding costs in the 75-token chunk. */
    function vectorsTitle(n) {
        if (!n) {
            return "";
        }
        return tr("Uses {n} of the 75 tokens in a prompt chunk", {n: n});
    }

    function collisionTitle(e) {
        var others = (e.collides_with || []).join(", ");
        var who = e.winner ? tr("The WebUI currently keeps this file.") : tr("The WebUI currently keeps the other file.");
        return tr("Same prompt name as {others}.", {others: others}) + " " + who + " " +
            tr("(It keeps whichever it loads last.)");
    }

    var api = {size: size, date: date, status: status, vectorsTitle: vectorsTitle, collisionTitle: collisionTitle};
    if (typeof module === "object" && module.exports) {
        module.exports = api;
    } else {
        root.EDeck = root.EDeck || {};
        root.EDeck.format = api;
    }
})(typeof window !== "undefined" ? window : globalThis);
