/**
 * Embedding Deck — PURE Ctrl/Cmd+Up/Down weight editing on prompt text.
 *
 * Follows the WebUI's own edit-attention rules (host-contract §4) with these deliberate
 * differences, each listed in tests/cases/weight.json ("deviation"):
 * - groups are found with nesting, so the caret in "c" of "(a (b:1.2) c:1.1)" edits the
 *   outer weight instead of wrapping "c" again;
 * - a selection that covers a weighted group, or its text plus ":weight", edits that
 *   group instead of nesting a new one;
 * - leading spaces of a selection are trimmed like trailing ones;
 * - "[a:b:0.5]" (prompt editing) is not emphasis: the word under the caret is weighted;
 * - group contents with a colon but no trailing number are left alone, not rewritten.
 */
(function (root) {
    "use strict";

    var DEFAULTS = {
        precisionAttention: 0.1,
        precisionExtra: 0.05,
        delimiters: ".,\\/!?%^*;:{}=`~() ",
        whitespace: "\t\r\n",
    };
    var WEIGHT_TAIL = /:\s*(-?(?:\d+\.?\d*|\.\d+))\s*$/;

    /** The options object the WebUI keeps in `opts`, mapped to ours. */
    function optionsFrom(opts) {
        var o = Object.assign({}, DEFAULTS);
        if (!opts) {
            return o;
        }
        if (opts.keyedit_precision_attention > 0) {
            o.precisionAttention = Number(opts.keyedit_precision_attention);
        }
        if (opts.keyedit_precision_extra > 0) {
            o.precisionExtra = Number(opts.keyedit_precision_extra);
        }
        if (typeof opts.keyedit_delimiters === "string") {
            o.delimiters = opts.keyedit_delimiters;
        }
        if (Array.isArray(opts.keyedit_delimiters_whitespace)) {
            var map = {"Tab": "\t", "Carriage Return": "\r", "Line Feed": "\n"};
            o.whitespace = opts.keyedit_delimiters_whitespace.map(function (k) {
                return map[k] || "";
            }).join("");
        }
        return o;
    }

    /** Innermost group (open..close) that contains position c, nesting-aware; or null. */
    function enclosing(text, c, open, close) {
        var depth = 0;
        var start = -1;
        for (var i = c - 1; i >= 0; i--) {
            if (text[i] === close) {
                depth++;
            } else if (text[i] === open) {
                if (depth === 0) {
                    start = i;
                    break;
                }
                depth--;
            }
        }
        if (start === -1) {
            return null;
        }
        depth = 0;
        for (var j = c; j < text.length; j++) {
            if (text[j] === open) {
                depth++;
            } else if (text[j] === close) {
                if (depth === 0) {
                    return {open: start, close: j};
                }
                depth--;
            }
        }
        return null;
    }

    /** The angle group containing c: no nesting, as extra-network tags never nest. */
    function angle(text, c) {
        var start = text.lastIndexOf("<", c - 1);
        if (start === -1 || text.slice(start, c).indexOf(">") !== -1) {
            return null;
        }
        var end = text.indexOf(">", c);
        if (end === -1 || text.slice(c, end).indexOf("<") !== -1) {
            return null;
        }
        return {open: start, close: end};
    }

    /** Where the text part of a group's content ends (before ":weight"), or -1 if none. */
    function textEnd(text, group) {
        var content = text.slice(group.open + 1, group.close);
        var m = WEIGHT_TAIL.exec(content);
        return m ? group.open + 1 + m.index : -1;
    }

    function groupAt(text, c) {
        var g = angle(text, c);
        if (g) {
            return g;
        }
        var paren = enclosing(text, c, "(", ")");
        var square = enclosing(text, c, "[", "]");
        if (square && text.slice(square.open + 1, square.close).indexOf(":") !== -1) {
            square = null; // [from:to:when] is prompt editing, not emphasis
        }
        if (paren && square) {
            return paren.open > square.open ? paren : square;
        }
        return paren || square;
    }

    function isDelimiter(ch, o) {
        return o.delimiters.indexOf(ch) !== -1 || o.whitespace.indexOf(ch) !== -1;
    }

    /** Expand a caret to the group content or word around it; null when there is none. */
    function expandCaret(text, c, o) {
        var g = groupAt(text, c);
        if (g) {
            var end = textEnd(text, g);
            if (end === -1 && text.slice(g.open + 1, g.close).indexOf(":") !== -1 && text[g.open] !== "<") {
                return null; // "(a:1 b)", "(x:1:y)": a colon but no weight; leave it alone
            }
            return [g.open + 1, end === -1 ? g.close : end];
        }
        var s = c;
        var e = c;
        // "[" "]" and "|" also end a word here, so "[cat:dog:0.5]" weights just "cat"
        while (s > 0 && !isDelimiter(text[s - 1], o) && "[]|".indexOf(text[s - 1]) === -1) {
            s--;
        }
        while (e < text.length && !isDelimiter(text[e], o) && "[]|".indexOf(text[e]) === -1) {
            e++;
        }
        while (s < e && text[s] === " ") {
            s++;
        }
        while (e > s && text[e - 1] === " ") {
            e--;
        }
        return s < e ? [s, e] : null;
    }

    /** Snap a selection that covers a weighted group (or its "text:w") to the group's text. */
    function snapSelection(text, s, e) {
        if (text[s] === "(" && text[e - 1] === ")") {
            var whole = enclosing(text, s + 1, "(", ")");
            if (whole && whole.open === s && whole.close === e - 1 && textEnd(text, whole) !== -1) {
                s += 1;
                e -= 1;
            }
        }
        var g = enclosing(text, s, "(", ")");
        if (g && g.open === s - 1 && e <= g.close) {
            var te = textEnd(text, g);
            if (te !== -1 && e >= te) {
                return [s, te];
            }
        }
        while (s < e && text[s] === " ") {
            s++;
        }
        while (e > s && /\s/.test(text[e - 1])) {
            e--;
        }
        return [s, e];
    }

    /** True when [s, e) is exactly the text part of a "(text:weight)" group. */
    function isWeightedText(text, s, e) {
        if (text[s - 1] !== "(" || text[e] !== ":") {
            return false;
        }
        var g = enclosing(text, s, "(", ")");
        return !!g && g.open === s - 1 && textEnd(text, g) === e;
    }

    function roundWeight(w) {
        var v = parseFloat(w.toPrecision(12));
        return Number.isInteger(v) ? v.toFixed(1) : String(v);
    }

    function unchanged(text, s, e) {
        return {text: text, start: s, end: e, changed: false};
    }

    /**
     * Apply one Ctrl+Up (up=true) or Ctrl+Down to text with the selection [start, end).
     * @returns {{text: string, start: number, end: number, changed: boolean}}
     */
    function adjust(text, start, end, up, opts) {
        var o = Object.assign({}, DEFAULTS, opts || {});
        var s = start;
        var e = end;
        if (s === e) {
            var r = expandCaret(text, s, o);
            if (!r) {
                return unchanged(text, s, e);
            }
            s = r[0];
            e = r[1];
        } else {
            var snapped = snapSelection(text, s, e);
            s = snapped[0];
            e = snapped[1];
            if (s === e) {
                return unchanged(text, start, end);
            }
        }
        var before = text[s - 1] || "";
        var after = text[e] || "";
        var closeChar = before === "<" ? ">" : ")";
        var delta = before === "<" ? o.precisionExtra : o.precisionAttention;
        if (before === "(" && after === ")" || before === "[" && after === "]") {
            // legacy emphasis: N nested pairs become one explicit weight
            var n = 0;
            while (text[s - 1 - n] === before && text[e + n] === after) {
                n++;
            }
            var w = Math.pow(before === "(" ? 1.1 : 1 / 1.1, n);
            w = Math.round(w / o.precisionAttention) * o.precisionAttention;
            var inner = text.slice(s, e);
            text = text.slice(0, s - n) + "(" + inner + ":" + w + ")" + text.slice(e + n);
            s = s - n + 1;
            e = s + inner.length;
        } else if (before !== "<" && !isWeightedText(text, s, e)) {
            if (before === "(" && after === ":") {
                return unchanged(text, s, e); // an unclosed "(cat:1.1": nothing safe to edit
            }
            text = text.slice(0, s) + "(" + text.slice(s, e) + ":1.0)" + text.slice(e);
            s += 1;
            e += 1;
        }
        if (text[e] !== ":") {
            return unchanged(text, s, e);
        }
        var close = text.indexOf(closeChar, e + 1);
        if (close === -1) {
            return unchanged(text, s, e);
        }
        var weight = parseFloat(text.slice(e + 1, close));
        if (isNaN(weight)) {
            return unchanged(text, s, e);
        }
        var next = roundWeight(weight + (up ? delta : -delta));
        if (closeChar === ")" && parseFloat(next) === 1) {
            text = text.slice(0, s - 1) + text.slice(s, e) + text.slice(close + 1);
            return {text: text, start: s - 1, end: e - 1, changed: true};
        }
        text = text.slice(0, e + 1) + next + text.slice(close);
        return {text: text, start: s, end: e, changed: true};
    }

    var api = {adjust: adjust, optionsFrom: optionsFrom, DEFAULTS: DEFAULTS};
    if (typeof module === "object" && module.exports) {
        module.exports = api;
    } else {
        root.EDeck = root.EDeck || {};
        root.EDeck.weight = api;
    }
})(typeof window !== "undefined" ? window : globalThis);
