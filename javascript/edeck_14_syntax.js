/**
 * Embedding Deck — PURE query syntax of the search box, twin of embedding_deck/query_syntax.py
 * (both tested against tests/cases/query.json, key "syntax"). Words AND, each in the name,
 * path, description or notes; "exact phrase"; -word NOT; a OR b; fields name: desc: notes:
 * tag: folder: arch:sdxl vectors:>8 fav:yes. Nothing is refused: what cannot be read becomes a
 * problem sentence, the rest applies, and explain() says what was understood.
 */
(function (root) {
    "use strict";

    var FIELDS = ["name", "desc", "notes", "tag", "folder", "arch", "vectors", "used", "fav"];
    var NUMERIC = {vectors: "vectors", used: "uses"}; // field -> the row's number (missing: 0 uses)
    var YES = ["yes", "true", "1", "on"];
    var NO = ["no", "false", "0", "off"];
    var ARCHES = {sd1: "SD1", sd15: "SD1", "sd1.5": "SD1", sd2: "SD2", sd21: "SD2", "sd2.1": "SD2",
        sdxl: "SDXL", xl: "SDXL", unknown: "unknown"};
    var FIELD = /^([A-Za-z]+):/;
    var NUMBER = /^(>=|<=|>|<|=)?(\d+)$/;

    function isSpace(c) {
        return /\s/.test(c);
    }

    /** [raw, text, quoted] per token; a quote left open is closed at the end. */
    function tokens(text, problems) {
        var out = [];
        var i = 0;
        var n = text.length;
        while (i < n) {
            if (isSpace(text[i])) {
                i += 1;
                continue;
            }
            var start = i;
            var buf = "";
            var quoted = false;
            while (i < n && !isSpace(text[i])) {
                if (text[i] === "\"") {
                    quoted = true;
                    var end = text.indexOf("\"", i + 1);
                    if (end === -1) {
                        problems.push("A closing \" was added at the end.");
                        end = n;
                    }
                    buf += text.slice(i + 1, end);
                    i = end + 1;
                } else {
                    buf += text[i];
                    i += 1;
                }
            }
            out.push([text.slice(start, Math.min(i, n)), buf, quoted]);
        }
        return out;
    }

    function term(raw, token, problems) {
        var neg = raw.charAt(0) === "-" && raw.length > 1;
        if (neg) {
            raw = raw.slice(1);
            token = token.slice(1);
        }
        var m = FIELD.exec(raw);
        if (!m) {
            return {field: "text", value: token.toLowerCase(), neg: neg, op: ""};
        }
        var name = m[1].toLowerCase();
        var value = token.slice(m[0].length);
        if (FIELDS.indexOf(name) === -1) {
            problems.push("There is no field \"" + name + ":\"; it was searched as text.");
            return {field: "text", value: token.toLowerCase(), neg: neg, op: ""};
        }
        if (!value) {
            problems.push("\"" + name + ":\" needs a value; it was left out.");
            return null;
        }
        if (name === "arch") {
            var arch = ARCHES[value.toLowerCase().replace(/ /g, "")];
            if (!arch) {
                problems.push("arch: is sd1, sd2, sdxl or unknown; \"" + value + "\" was left out.");
                return null;
            }
            return {field: "arch", value: arch, neg: neg, op: ""};
        }
        if (NUMERIC[name]) {
            var num = NUMBER.exec(value.replace(/ /g, ""));
            if (!num) {
                problems.push(name + ": takes a number such as 8, >8 or <=4; \"" + value + "\" was left out.");
                return null;
            }
            return {field: name, value: parseInt(num[2], 10), neg: neg, op: num[1] || "="};
        }
        if (name === "fav") {
            var yes = YES.indexOf(value.toLowerCase()) !== -1;
            if (!yes && NO.indexOf(value.toLowerCase()) === -1) {
                problems.push("fav: is yes or no; \"" + value + "\" was left out.");
                return null;
            }
            return {field: "fav", value: yes, neg: neg, op: ""};
        }
        if (name === "folder") {
            value = value.replace(/^\/+|\/+$/g, "");
        }
        return {field: name, value: value.toLowerCase(), neg: neg, op: ""};
    }

    /** {groups: [[term…]…] (AND of ORs), problems: [sentence…], syntax: bool}. */
    function parse(text) {
        var parsed = {groups: [], problems: [], syntax: false};
        var list = tokens(String(text || ""), parsed.problems);
        var joinNext = false;
        list.forEach(function (tok, i) {
            if (tok[0] === "OR") {
                if (!parsed.groups.length || i === list.length - 1 || joinNext) {
                    parsed.problems.push("OR needs a term on each side; it was left out.");
                    return;
                }
                joinNext = true;
                parsed.syntax = true;
                return;
            }
            var t = term(tok[0], tok[1], parsed.problems);
            if (!t) {
                joinNext = false;
                return;
            }
            if (tok[2] || t.neg || t.field !== "text") {
                parsed.syntax = true;
            }
            if (joinNext) {
                parsed.groups[parsed.groups.length - 1].push(t);
            } else {
                parsed.groups.push([t]);
            }
            joinNext = false;
        });
        return parsed;
    }

    function haystack(e) {
        if (e._hay === undefined) {
            e._hay = [e.name, e.path, e.description || "", e.notes || ""].join("\n").toLowerCase();
        }
        return e._hay;
    }

    function holds(t, e) {
        var v = t.value;
        switch (t.field) {
        case "text":
            return haystack(e).indexOf(v) !== -1;
        case "name":
        case "notes":
            return String(e[t.field] || "").toLowerCase().indexOf(v) !== -1;
        case "desc":
            return String(e.description || "").toLowerCase().indexOf(v) !== -1;
        case "tag":
            return (e.tags || []).some(function (tag) {
                return String(tag).toLowerCase() === v;
            });
        case "folder":
            var f = String(e.folder || "").toLowerCase();
            return f === v || f.indexOf(v + "/") === 0;
        case "arch":
            return e.arch === v;
        case "fav":
            return !!e.fav === v;
        default:
            var n = e[NUMERIC[t.field]];
            if (n === null || n === undefined) {
                if (t.field !== "used") {
                    return false;
                }
                n = 0;
            }
            return {"=": n === v, ">": n > v, ">=": n >= v, "<": n < v, "<=": n <= v}[t.op];
        }
    }

    /** True when the grid row e meets every group of parsed. */
    function test(parsed, e) {
        var groups = parsed.groups;
        for (var i = 0; i < groups.length; i++) {
            var group = groups[i];
            var ok = false;
            for (var j = 0; j < group.length && !ok; j++) {
                ok = holds(group[j], e) !== group[j].neg;
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    var SAID = {
        text: "\"{v}\"",
        name: "name contains \"{v}\"",
        desc: "description contains \"{v}\"",
        notes: "notes contain \"{v}\"",
        tag: "tag is \"{v}\"",
        folder: "in folder \"{v}\"",
        arch: "SD version is {v}",
        vectors: "vectors {op} {v}",
        used: "uses {op} {v}",
    };
    var SAID_FAV = {true: "a favourite", false: "not a favourite"};

    /** What the query was understood as, in words; tr translates each part (optional). */
    function explain(parsed, tr) {
        var say = tr || function (text, vars) {
            return text.replace(/\{(\w+)\}/g, function (m, k) {
                return String(vars[k]);
            });
        };
        return parsed.groups.map(function (group) {
            var said = group.map(function (t) {
                var part = t.field === "fav" ? say(SAID_FAV[t.value], {}) : say(SAID[t.field], {v: t.value, op: t.op});
                return t.neg ? say("NOT {part}", {part: part}) : part;
            }).join(" " + say("OR", {}) + " ");
            return group.length > 1 ? "(" + said + ")" : said;
        }).join(" " + say("AND", {}) + " ");
    }

    var api = {FIELDS: FIELDS, parse: parse, test: test, explain: explain};
    if (typeof module === "object" && module.exports) {
        module.exports = api;
    } else {
        root.EDeck = root.EDeck || {};
        root.EDeck.syntax = api;
    }
})(typeof window !== "undefined" ? window : globalThis);
