/**
 * Embedding Deck — PURE search, sort, compatibility and folder tree over grid rows.
 * Twin of embedding_deck/query.py: both are tested against tests/cases/query.json.
 *
 * Paths, names and tree folders share one natural order: case-insensitive, "/" segment by
 * segment, digit runs by number ("SD2" before "SD15"), other text by code unit.
 */
(function (root) {
    "use strict";

    // "uses" and "last_used" come from the usage counts (rows without them: never used)
    var SORT_KEYS = ["path", "name", "created", "modified", "size", "vectors", "uses", "last_used"];

    /** EDeck.t when the page has it (translation), else plain {placeholder} filling. */
    function tr(text, vars) {
        var t = root.EDeck && root.EDeck.t;
        if (t) {
            return t(text, vars);
        }
        return text.replace(/\{(\w+)\}/g, function (m, k) {
            return vars && vars[k] !== undefined ? String(vars[k]) : m;
        });
    }


    /**
     * @param {string} text the search box value
     * @returns {string[]} lower-cased, whitespace-separated terms
     */
    function splitTerms(text) {
        return String(text || "").toLowerCase().split(/\s+/).filter(Boolean);
    }

    function haystack(e) {
        if (e._hay === undefined) {
            e._hay = [e.name, e.path, e.description || "", e.notes || ""].join("\n").toLowerCase();
        }
        return e._hay;
    }

    /** True when e is in folder (or below it) and contains every term. */
    function matches(e, terms, folder) {
        if (folder && !(e.folder === folder || e.folder.indexOf(folder + "/") === 0)) {
            return false;
        }
        var hay = haystack(e);
        for (var i = 0; i < terms.length; i++) {
            if (hay.indexOf(terms[i]) === -1) {
                return false;
            }
        }
        return true;
    }

    function cmp(a, b) {
        return a < b ? -1 : a > b ? 1 : 0;
    }

    /**
     * The natural sort key of a path or name: per "/" segment, its text and digit runs.
     * @param {string} text
     * @returns {string[][]} each segment split as "sd15x".split(/([0-9]+)/): digits at odd indices
     */
    function naturalKey(text) {
        return String(text).toLowerCase().split("/").map(function (seg) {
            return seg.split(/([0-9]+)/);
        });
    }

    /** Digit runs by value, without a float's limits: length without leading zeros, then digits. */
    function cmpDigits(a, b) {
        var x = a.replace(/^0+/, "");
        var y = b.replace(/^0+/, "");
        return cmp(x.length, y.length) || cmp(x, y) || cmp(a, b);
    }

    function cmpSegment(a, b) {
        var n = Math.min(a.length, b.length);
        for (var i = 0; i < n; i++) {
            var c = i % 2 ? cmpDigits(a[i], b[i]) : cmp(a[i], b[i]);
            if (c) {
                return c;
            }
        }
        return cmp(a.length, b.length);
    }

    /** Compare two naturalKey() results. */
    function cmpNaturalKeys(a, b) {
        var n = Math.min(a.length, b.length);
        for (var i = 0; i < n; i++) {
            var c = cmpSegment(a[i], b[i]);
            if (c) {
                return c;
            }
        }
        return cmp(a.length, b.length);
    }

    /**
     * The deck's one order for paths, names and tree folders ("SD2" before "SD15").
     * @returns {number} negative, 0 or positive, for Array.prototype.sort
     */
    function compareNatural(a, b) {
        return cmpNaturalKeys(naturalKey(a), naturalKey(b));
    }

    function sortValue(e, key) {
        if (key === "name") {
            return naturalKey(e.name);
        }
        if (key === "path") {
            return naturalKey(e.path);
        }
        var v = e[key];
        return v === null || v === undefined ? -1 : v;
    }

    /** Entries sorted by key; ties always by path, ascending (as Python's stable sort). */
    function ordered(entries, key, desc) {
        if (SORT_KEYS.indexOf(key) === -1) {
            throw new Error("unknown sort key " + key);
        }
        var sign = desc ? -1 : 1;
        var byKey = key === "path" || key === "name" ? cmpNaturalKeys : cmp;
        var keyed = entries.map(function (e) {
            var k = sortValue(e, key);
            return {e: e, k: k, p: key === "path" ? k : naturalKey(e.path)};
        });
        keyed.sort(function (a, b) {
            return sign * byKey(a.k, b.k) || cmpNaturalKeys(a.p, b.p);
        });
        return keyed.map(function (x) {
            return x.e;
        });
    }

    /**
     * Why an entry does not fit the loaded model family, or "" when it fits.
     * @param {object} e grid row ({arch, error})
     * @param {string|null} family "SD1" | "SD2" | "SDXL" | null (unknown)
     */
    function incompatibility(e, family) {
        if (e.error) {
            return "";
        }
        if (e.refused) {
            // the running WebUI will not load the file (the server's verdict for this host)
            return tr(e.refused);
        }
        if (!family || e.arch === family) {
            return "";
        }
        if (e.arch === "unknown") {
            return tr("Its width fits no SD1, SD2 or SDXL model, so the WebUI skips it.");
        }
        return tr("An {arch} embedding: the loaded checkpoint is {family}, so the WebUI skips it.",
            {arch: e.arch, family: family});
    }

    /**
     * Whether entries in dot-folders show, by the WebUI's "hidden models" setting
     * (extra_networks_hidden_models): "Always", "Never", or "When searched" (the default):
     * with a search of 4+ characters, as the WebUI does, or inside a chosen dot-folder.
     */
    function showHidden(mode, text, folder) {
        if (mode === "Always") {
            return true;
        }
        if (mode === "Never") {
            return false;
        }
        return String(text || "").trim().length >= 4 || /(^|\/)\./.test(folder || "");
    }

    /**
     * Filter, then sort. q = {text, folder, sort, desc, family, hideIncompatible}.
     */
    function run(entries, q) {
        var terms = splitTerms(q.text);
        var kept = entries.filter(function (e) {
            if (!matches(e, terms, q.folder || "")) {
                return false;
            }
            return !(q.hideIncompatible && incompatibility(e, q.family));
        });
        return ordered(kept, q.sort || "path", !!q.desc);
    }

    /** Count of entries per folder including sub-folders ("" is the root). */
    function folderTree(entries, folders) {
        var counts = {"": 0};
        (folders || []).forEach(function (f) {
            counts[f] = counts[f] || 0;
        });
        entries.forEach(function (e) {
            counts[""] += 1;
            if (!e.folder) {
                return;
            }
            var parts = e.folder.split("/");
            for (var i = 1; i <= parts.length; i++) {
                var key = parts.slice(0, i).join("/");
                counts[key] = (counts[key] || 0) + 1;
            }
        });
        return counts;
    }

    var api = {
        SORT_KEYS: SORT_KEYS,
        tr: tr,
        splitTerms: splitTerms,
        matches: matches,
        compareNatural: compareNatural,
        ordered: ordered,
        incompatibility: incompatibility,
        showHidden: showHidden,
        run: run,
        folderTree: folderTree,
    };
    if (typeof module === "object" && module.exports) {
        module.exports = api;
    } else {
        root.EDeck = root.EDeck || {};
        root.EDeck.query = api;
    }
})(typeof window !== "undefined" ? window : globalThis);
