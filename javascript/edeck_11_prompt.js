/**
 * Embedding Deck — PURE prompt text rules: find an embedding name (plain, "(name:1.2)",
 * "((name))", "[name]"), insert at a caret with tidy ", " separators, remove with its
 * separator (and a prompt-editing bracket it leaves empty). Twin of
 * embedding_deck/prompt_scan.py for finding (tests/cases/prompt.json).
 *
 * Names match case-insensitively (the CLIP tokenizer lower-cases prompts) and only on
 * name boundaries: letters, digits, "_" and "-" continue a name, so "EasyNegativeV2" and
 * "bad-hands-5" never match "EasyNegative" or "bad-hands".
 */
(function (root) {
    "use strict";

    var NAME_CHAR = /[\p{L}\p{N}_-]/u;
    var WEIGHT_CLOSE = /^\s*:\s*(-?(?:\d+\.?\d*|\.\d+))\s*\)/;
    // The rest of "[name:when]" or "[name::when]": the name is the bracket's only prompt.
    var EDIT_CLOSE = /^\s*::?\s*(?:\d+\.?\d*|\.\d+)\s*\]/;

    function isNameChar(ch) {
        return !!ch && NAME_CHAR.test(ch);
    }

    function round(w) {
        return Math.round(w * 100) / 100;
    }

    /** Grow a match outwards over "(…:w)", "( )" and "[ ]" wrappers that hold only it. */
    function wrapper(text, a, b) {
        var weight = 1;
        var explicit = false;
        for (;;) {
            if (text[a - 1] === "(") {
                var m = explicit ? null : WEIGHT_CLOSE.exec(text.slice(b));
                if (m) {
                    weight = parseFloat(m[1]);
                    explicit = true;
                    a -= 1;
                    b += m[0].length;
                    continue;
                }
                if (text[b] === ")") {
                    weight *= 1.1;
                    a -= 1;
                    b += 1;
                    continue;
                }
            } else if (text[a - 1] === "[" && text[b] === "]") {
                weight /= 1.1;
                a -= 1;
                b += 1;
                continue;
            }
            return {start: a, end: b, weight: round(weight)};
        }
    }

    /**
     * Every occurrence of name in text.
     * @returns {{start: number, end: number, nameStart: number, weight: number}[]}
     */
    function findAll(text, name) {
        var out = [];
        if (!name) {
            return out;
        }
        var hay = text.toLowerCase();
        var needle = name.toLowerCase();
        var from = 0;
        for (;;) {
            var i = hay.indexOf(needle, from);
            if (i === -1) {
                return out;
            }
            var j = i + needle.length;
            from = i + 1;
            var edgeOk = !(isNameChar(text[i - 1]) && isNameChar(name[0])) &&
                !(isNameChar(text[j]) && isNameChar(name[name.length - 1]));
            if (edgeOk) {
                var w = wrapper(text, i, j);
                out.push({start: w.start, end: w.end, nameStart: i, weight: w.weight});
                from = w.end;
            }
        }
    }

    /** Weight of the first occurrence of name, or null when absent. */
    function presence(text, name) {
        var found = findAll(text, name);
        return found.length ? found[0].weight : null;
    }

    /**
     * Widen an occurrence to its prompt-editing bracket when nothing else would be left in
     * it: "[name:0.5]" and "[name::0.5]" go whole; "[name:other:0.5]" keeps "[:other:0.5]".
     * @returns {{start: number, end: number}}
     */
    function editingSpan(text, occ) {
        var open = /\[\s*$/.exec(text.slice(0, occ.start));
        var close = open && EDIT_CLOSE.exec(text.slice(occ.end));
        return close ? {start: open.index, end: occ.end + close[0].length} : occ;
    }

    /** Remove one occurrence and the separator that belonged to it. */
    function removeOne(text, occ) {
        occ = editingSpan(text, occ);
        var left = text.slice(0, occ.start);
        var right = text.slice(occ.end);
        var following = /^\s*,[ \t]*/.exec(right);
        var preceding = /,\s*$/.exec(left);
        if (following && (left.trim() === "" || /[(\[\n]\s*$/.test(left) || !preceding)) {
            right = right.slice(following[0].length);
            left = left.replace(/[ \t]+$/, "");
            if (left && !/[\s(\[]$/.test(left) && right && !/^[\s)\]]/.test(right)) {
                left += " ";
            }
        } else if (preceding) {
            left = left.slice(0, preceding.index);
            if (!right.trim()) {
                right = right.replace(/^[ \t]+/, "");
            }
        } else if (!right.trim()) {
            left = left.replace(/[ \t]+$/, "");
        } else {
            right = left.endsWith(" ") || left === "" ? right.replace(/^ +/, "") : right;
        }
        return {text: left + right, caret: left.length};
    }

    /** Remove every occurrence of name; returns {text, caret, removed}. */
    function removeAll(text, name) {
        var found = findAll(text, name);
        var caret = -1;
        for (var k = found.length - 1; k >= 0; k--) {
            var r = removeOne(text, found[k]);
            text = r.text;
            caret = r.caret;
        }
        return {text: text, caret: caret, removed: found.length};
    }

    /**
     * Move a caret that sits inside a word or a ":weight)", or just before one (where
     * Ctrl+Up leaves it), to just after it.
     */
    function settleCaret(text, c) {
        while (c > 0 && c < text.length && isNameChar(text[c - 1]) && isNameChar(text[c])) {
            c++;
        }
        var w = /^:[\d.\s-]*\)/.exec(text.slice(c));
        if (w) {
            return c + w[0].length;
        }
        var m = /^[\d.]*\)/.exec(text.slice(c));
        if (m && /:[\d.\s-]*$/.test(text.slice(0, c))) {
            c += m[0].length;
        }
        return c;
    }

    /**
     * Insert token at caret (or the end when caret is null/-1) with tidy separators.
     * @returns {{text: string, start: number, end: number}} the token's position after
     */
    function insert(text, caret, token, sep) {
        sep = sep || ", ";
        var bare = sep.replace(/\s+$/, "");
        var c = caret === null || caret === undefined || caret < 0 || caret > text.length ? text.length : caret;
        c = settleCaret(text, c);
        var left = text.slice(0, c);
        var right = text.slice(c);
        var leftTrim = left.replace(/[ \t]+$/, "");
        var prefix = "";
        if (leftTrim === "" || /[(\[\n]$/.test(leftTrim)) {
            left = leftTrim;
        } else if (bare && leftTrim.endsWith(bare)) {
            left = leftTrim + sep.slice(bare.length);
        } else {
            left = leftTrim;
            prefix = sep;
        }
        var rightTrim = right.replace(/^[ \t]+/, "");
        var suffix = "";
        if (rightTrim === "" || /^[)\]\n]/.test(rightTrim) || (bare && rightTrim.startsWith(bare))) {
            right = rightTrim;
        } else {
            right = rightTrim;
            suffix = sep;
        }
        var start = left.length + prefix.length;
        return {text: left + prefix + token + suffix + right, start: start, end: start + token.length};
    }

    /** The text a card inserts: "name", or "(name:w)" for a preferred weight other than 1. */
    function tokenFor(name, weight) {
        var w = parseFloat(weight);
        if (!isFinite(w) || w === 1) {
            return name;
        }
        return "(" + name + ":" + String(round(w)) + ")";
    }

    /** A card click: remove the name if present, else insert it at the caret. */
    function toggle(text, caret, name, weight, sep) {
        var removed = removeAll(text, name);
        if (removed.removed) {
            return {text: removed.text, start: removed.caret, end: removed.caret, action: "removed"};
        }
        var ins = insert(text, caret, tokenFor(name, weight), sep);
        return {text: ins.text, start: ins.end, end: ins.end, action: "inserted"};
    }

    var api = {
        findAll: findAll,
        presence: presence,
        removeAll: removeAll,
        insert: insert,
        toggle: toggle,
        tokenFor: tokenFor,
    };
    if (typeof module === "object" && module.exports) {
        module.exports = api;
    } else {
        root.EDeck = root.EDeck || {};
        root.EDeck.prompt = api;
    }
})(typeof window !== "undefined" ? window : globalThis);
