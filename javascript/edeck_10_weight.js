/**
 * Embedding Deck — PURE Ctrl/Cmd+Up/Down weight editing on prompt text.
 *
 * Owns adjust(text, start, end, up, opts) → {text, start, end, changed} and optionsFrom().
 * Must not touch the DOM, and must never return a prompt that reads differently apart from
 * the one weight it was asked to change: when no such edit exists, text AND selection come
 * back exactly as given (changed: false), so the caller has nothing to undo.
 *
 * The prompt is parsed first, as the WebUI reads it (host-contract §4): extra-network tags
 * "<type:name:m…>" (cut out before brackets are read), "\" escapes, "(x)", "(x:w)", "[x]",
 * prompt editing "[a:b:N]" / "[a:N]" / "[a::N]" and alternation "[a|b]". An unclosed
 * bracket or a stray closer is a defect that no edit may touch. Then:
 * - caret in a tag → its first multiplier (the *extra* precision; the name never changes);
 *   in "(x:w)" → w; in "(x)" / "[x]" → the nested pairs become one explicit weight; in a
 *   part of prompt editing or alternation → the word there (never the step number);
 *   elsewhere → the word, split by the WebUI's delimiters (a "." between digits does not
 *   split: "2.5d" is one word);
 * - a selection is trimmed, then grows to the smallest enclosing balanced span: one that
 *   cuts no group, tag, escape or part separator; inside a step number, or holding a
 *   defect, it is refused;
 * - every result is parsed again and must keep all text, tags and structure; an unwrap at
 *   1.0 that would not keeps "(x:1.0)", anything else is refused.
 * Deliberate differences from A1111: the rows with "deviation" in tests/cases/weight.json.
 */
(function (root) {
    "use strict";

    var DEFAULTS = {
        precisionAttention: 0.1,
        precisionExtra: 0.05,
        delimiters: ".,\\/!?%^*;:{}=`~() ",
        whitespace: "\t\r\n",
    };
    var NUMBER = /[+-]?(?:\d+\.?\d*|\.\d+)/;
    var NUMBER_ONLY = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)\s*$/;
    var TAG = /<\w+:[^>]+>/g;
    var SPECIAL = /[\\()[\]:|<\ud800-\udbff]/g; // all else is plain text

    /**
     * The WebUI's Ctrl+Up/Down settings (its global `opts`), mapped to ours.
     * @param {object} [opts] keyedit_precision_attention, keyedit_precision_extra,
     *   keyedit_delimiters, keyedit_delimiters_whitespace; missing ones take the defaults
     * @returns {object} options for adjust()
     */
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

    // ---- parsing -------------------------------------------------------------------------

    function makeNode(kind, s, e) {
        return {kind: kind, s: s, e: e, children: [], seps: [], parent: null};
    }

    function addChild(parent, child) {
        child.parent = parent;
        parent.children.push(child);
    }

    /** Start → end of every extra-network tag; the WebUI cuts these out before anything else. */
    function findTags(text) {
        var tags = {};
        var m;
        if (text.indexOf("<") === -1) {
            return tags;
        }
        TAG.lastIndex = 0;
        while ((m = TAG.exec(text))) {
            tags[m.index] = m.index + m[0].length;
        }
        return tags;
    }

    /** A surrogate pair starts at i (a lone surrogate is one character). */
    function isPair(text, i) {
        var c = text.charCodeAt(i);
        var d = text.charCodeAt(i + 1);
        return c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff;
    }

    /** Length of the unit at i: a tag, an escape "\x", a surrogate pair, or one character. */
    function unitLength(text, i, tags) {
        if (tags[i] !== undefined) {
            return tags[i] - i;
        }
        if (text[i] === "\\" && i + 1 < text.length && tags[i + 1] === undefined) {
            return isPair(text, i + 1) ? 3 : 2;
        }
        return isPair(text, i) ? 2 : 1;
    }

    /** A bracket character: open a group, close the innermost one, or a stray closer. */
    function bracket(stack, ch, i) {
        var top = stack[stack.length - 1];
        if (ch === "(" || ch === "[") {
            var g = makeNode(ch, i, -1);
            g.parent = top;
            stack.push(g);
        } else if (top.kind === (ch === ")" ? "(" : "[")) {
            top.e = i + 1;
            stack.pop();
            addChild(stack[stack.length - 1], top);
        } else {
            addChild(top, makeNode("stray", i, i + 1));
        }
    }

    /** Record one character of syntax, or a unit longer than one character, at i. */
    function token(p, stack, i, len, tags) {
        var ch = len === 1 ? p.text[i] : "";
        for (var j = i; j < i + len && len > 1; j++) {
            p.starts[j] = i;
            p.ends[j] = i + len;
        }
        if (tags[i] !== undefined) {
            addChild(stack[stack.length - 1], makeNode("tag", i, i + len));
        } else if (ch && "()[]".indexOf(ch) !== -1) {
            bracket(stack, ch, i);
        } else if (ch === ":" || ch === "|") {
            stack[stack.length - 1].seps.push(i);
        }
    }

    /** Parse tolerantly into a tree of groups, tags and defects, with unit boundaries. */
    function parse(text) {
        var tags = findTags(text);
        var root = makeNode("root", 0, text.length);
        var stack = [root];
        var p = {text: text, root: root, starts: {}, ends: {}};
        var m;
        SPECIAL.lastIndex = 0;
        while ((m = SPECIAL.exec(text))) {
            var len = unitLength(text, m.index, tags);
            token(p, stack, m.index, len, tags);
            SPECIAL.lastIndex = m.index + len;
        }
        while (stack.length > 1) {
            var open = stack.pop();
            open.e = text.length;
            open.kind = "broken";
            addChild(stack[stack.length - 1], open);
        }
        classify(root, text);
        return p;
    }

    /** Where the unit holding position i starts (escapes, surrogate pairs and tags are units). */
    function unitStart(p, i) {
        var v = p.starts[i];
        return v === undefined ? i : v;
    }

    /** Where the unit holding position i ends. */
    function unitEnd(p, i) {
        var v = p.ends[i];
        return v === undefined ? Math.min(i + 1, p.text.length) : v;
    }

    function pipes(node, text) {
        return node.seps.filter(function (i) {
            return text[i] === "|";
        });
    }

    /** Name each bracket group by what the WebUI makes of it. */
    function classify(node, text) {
        node.children.forEach(function (k) {
            classify(k, text);
        });
        var n = node.seps.length;
        var bar = n ? pipes(node, text).length : 0;
        var last = node.seps[n - 1];
        if (node.kind === "(") {
            var weighted = n && !bar && NUMBER_ONLY.test(text.slice(last + 1, node.e - 1));
            node.kind = weighted ? "weighted" : (n ? "colon" : "plain");
            node.colon = weighted ? last : -1;
        } else if (node.kind === "[") {
            var sched = n && !bar && n <= 2 && NUMBER_ONLY.test(text.slice(last + 1, node.e - 1));
            node.kind = !n ? "square" : (bar === n ? "alt" : (sched ? "sched" : "opaque"));
        }
    }

    /** The places inside a node where a selection may lie without cutting it. */
    function slots(node) {
        switch (node.kind) {
        case "root":
            return [[node.s, node.e]];
        case "weighted":
            return [[node.s + 1, node.colon], [node.colon + 1, node.e - 1]];
        case "plain":
        case "colon":
        case "square":
        case "opaque":
            return [[node.s + 1, node.e - 1]];
        case "alt":
        case "sched":
            return parts(node);
        default:
            return [];
        }
    }

    function parts(node) {
        var starts = [node.s + 1].concat(node.seps.map(function (i) {
            return i + 1;
        }));
        return starts.map(function (s, k) {
            return [s, k < node.seps.length ? node.seps[k] : node.e - 1];
        });
    }

    // ---- the skeleton: everything an edit must keep ----------------------------------------

    function walk(p, from, to, kids) {
        var out = "";
        var i = from;
        kids.forEach(function (k) {
            if (k.s >= from && k.e <= to) {
                out += p.text.slice(i, k.s) + emit(p, k);
                i = k.e;
            }
        });
        return out + p.text.slice(i, to);
    }

    /** A node as text, weights and emphasis brackets left out, structure marked. */
    function emit(p, n) {
        switch (n.kind) {
        case "tag":
            var f = tagFields(p.text, n);
            return "\u0001" + (f ? p.text.slice(n.s, f.numS) + "#" + p.text.slice(f.numE, n.e) : p.text.slice(n.s, n.e));
        case "stray":
            return "\u0002" + p.text[n.s];
        case "broken":
            return "\u0002" + p.text[n.s] + walk(p, n.s + 1, n.e, n.children);
        case "weighted":
            return walk(p, n.s + 1, n.colon, n.children);
        case "alt":
        case "sched":
            return "\u0003" + n.kind + parts(n).map(function (sl) {
                return walk(p, sl[0], sl[1], n.children);
            }).join("\u0003" + p.text[n.seps[0]]) + "\u0003";
        case "opaque":
            return "\u0003" + walk(p, n.s + 1, n.e - 1, n.children) + "\u0003";
        default:
            return walk(p, n.s + 1, n.e - 1, n.children);
        }
    }

    function skeleton(p) {
        return walk(p, 0, p.text.length, p.root.children);
    }

    // ---- weights -------------------------------------------------------------------------

    /** w ± delta, written as the WebUI writes it ("1.0", "1.15"); null if not a plain decimal. */
    function step(w, up, delta) {
        var v = parseFloat((w + (up ? delta : -delta)).toPrecision(12));
        if (Math.abs(v) < 1e-9) {
            v = 0;
        }
        var s = Number.isInteger(v) ? v.toFixed(1) : String(v);
        return /^-?\d+(\.\d+)?$/.test(s) ? s : null;
    }

    /** Where a tag's first multiplier ("0.8" in "<lora:foo:0.8:0.5>") lies, or null. */
    function tagFields(text, tag) {
        var body = text.slice(tag.s + 1, tag.e - 1);
        var c1 = body.indexOf(":");
        var c2 = body.indexOf(":", c1 + 1);
        if (c2 === -1) {
            return null;
        }
        var c3 = body.indexOf(":", c2 + 1);
        var field = body.slice(c2 + 1, c3 === -1 ? body.length : c3);
        var m = NUMBER.exec(field);
        if (!NUMBER_ONLY.test(field)) {
            return null;
        }
        var numS = tag.s + 1 + c2 + 1 + m.index;
        return {nameEnd: tag.s + 1 + c2, numS: numS, numE: numS + m[0].length, value: parseFloat(m[0])};
    }

    function replaced(text, s, e, piece, selS, selE) {
        return {text: text.slice(0, s) + piece + text.slice(e), start: selS, end: selE};
    }

    function editTag(p, tag, up, o) {
        var f = tagFields(p.text, tag);
        var next = f && step(f.value, up, o.precisionExtra);
        return next && replaced(p.text, f.numS, f.numE, next, tag.s + 1, f.nameEnd);
    }

    /** "(inner:next)" in place of [s, e); at 1.0 bare inner when that keeps the prompt's sense. */
    function rewrap(p, s, e, inner, next) {
        if (parseFloat(next) === 1) {
            var bare = replaced(p.text, s, e, inner, s, s + inner.length);
            if (verified(p, bare)) {
                return bare;
            }
        }
        return replaced(p.text, s, e, "(" + inner + ":" + next + ")", s + 1, s + 1 + inner.length);
    }

    function editWeight(p, g, up, o) {
        var m = NUMBER.exec(p.text.slice(g.colon + 1, g.e - 1));
        var numS = g.colon + 1 + m.index;
        var next = step(parseFloat(m[0]), up, o.precisionAttention);
        if (!next) {
            return null;
        }
        if (parseFloat(next) === 1) {
            return rewrap(p, g.s, g.e, p.text.slice(g.s + 1, g.colon), next);
        }
        return replaced(p.text, numS, numS + m[0].length, next, g.s + 1, g.colon);
    }

    /** "((x))" or "[x]": the N tight pairs around x become one explicit weight (A1111). */
    function editLegacy(p, g, up, o) {
        var L = legacy(g, o);
        var next = step(L.w, up, o.precisionAttention);
        return next && rewrap(p, L.outer.s, L.outer.e, p.text.slice(g.s + 1, g.e - 1), next);
    }

    /** The N tight pairs around g: the outermost one and their weight, at the step's precision. */
    function legacy(g, o) {
        var round = g.kind === "plain" || g.kind === "colon";
        var outer = g;
        var n = 1;
        while (outer.parent && outer.parent.kind === (round ? "plain" : "square") &&
                outer.parent.children.length === 1 && outer.parent.s === outer.s - 1 && outer.parent.e === outer.e + 1) {
            outer = outer.parent;
            n++;
        }
        var p0 = o.precisionAttention;
        return {outer: outer, w: Math.round(Math.pow(round ? 1.1 : 1 / 1.1, n) / p0) * p0};
    }

    function wrap(p, s, e, up, o) {
        var next = step(1, up, o.precisionAttention);
        return next && parseFloat(next) !== 1 &&
            replaced(p.text, s, e, "(" + p.text.slice(s, e) + ":" + next + ")", s + 1, e + 1);
    }

    // ---- what a caret or a selection points at ----------------------------------------------

    function onNode(node) {
        switch (node.kind) {
        case "tag":
            return {op: "tag", node: node};
        case "weighted":
            return {op: "weight", node: node};
        case "plain":
        case "colon":
        case "square":
        case "opaque":
            return {op: "legacy", node: node};
        case "alt":
        case "sched":
            return {op: "wrap", s: node.s, e: node.e};
        default:
            return null;
        }
    }

    function isDelimiter(p, i, o) {
        if (unitEnd(p, i) - i > 1) {
            return p.text[i] === "<"; // a tag ends a word; an escape or a surrogate pair does not
        }
        var ch = p.text[i];
        if ("()[]|".indexOf(ch) !== -1) {
            return true;
        }
        if (ch === "." && /\d/.test(p.text[i - 1] || "") && /\d/.test(p.text[i + 1] || "")) {
            return false; // "2.5d", "v1.3": a number is never split
        }
        return o.delimiters.indexOf(ch) !== -1 || o.whitespace.indexOf(ch) !== -1;
    }

    function isSpace(p, i) {
        return unitEnd(p, i) - i === 1 && /\s/.test(p.text[i]);
    }

    /** The word around caret c inside [lo, hi], by the WebUI's delimiters; null when empty. */
    function word(p, c, lo, hi, o) {
        var s = c;
        var e = c;
        while (s > lo && unitStart(p, s - 1) >= lo && !isDelimiter(p, unitStart(p, s - 1), o)) {
            s = unitStart(p, s - 1);
        }
        while (e < hi && unitEnd(p, e) <= hi && !isDelimiter(p, e, o)) {
            e = unitEnd(p, e);
        }
        return trimmed(p, s, e);
    }

    function trimmed(p, s, e) {
        while (s < e && isSpace(p, s)) {
            s++;
        }
        while (e > s && isSpace(p, e - 1)) {
            e--;
        }
        return s < e ? {op: "wrap", s: s, e: e} : null;
    }

    function tagTouching(node, c) {
        var hit = node.children.filter(function (k) {
            return k.kind === "tag" && (k.e === c || k.s === c);
        });
        return hit.length ? {op: "tag", node: hit[0]} : null;
    }

    function wordTarget(p, node, c, lo, hi, o) {
        return word(p, c, lo, hi, o) || tagTouching(node, c);
    }

    /** The innermost tag or group around caret c (a tag only when c is strictly inside). */
    function innermost(node, c) {
        for (;;) {
            var next = node.children.filter(function (k) {
                var inside = k.kind === "broken" ? c <= k.e : c < k.e;
                return k.kind !== "stray" && k.s < c && inside;
            })[0];
            if (!next || next.kind === "tag") {
                return next || node;
            }
            node = next;
        }
    }

    function caretTarget(p, c, o) {
        if (c < p.text.length && unitStart(p, c) < c && p.text[unitStart(p, c)] !== "<") {
            c = unitStart(p, c); // never inside an escape or a surrogate pair
        }
        var n = innermost(p.root, c);
        if (n.kind === "root") {
            return wordTarget(p, n, c, 0, p.text.length, o);
        }
        if (n.kind !== "alt" && n.kind !== "sched") {
            return n.kind === "colon" || n.kind === "opaque" ? null : onNode(n);
        }
        var all = parts(n);
        var k = all.findIndex(function (sl) {
            return sl[0] <= c && c <= sl[1];
        });
        if (n.kind === "sched" && k === all.length - 1) {
            return null; // the step number of prompt editing is not a word
        }
        return wordTarget(p, n, c, all[k][0], all[k][1], o);
    }

    function within(sl, s, e) {
        return sl[0] <= s && e <= sl[1];
    }

    function inNumber(text, i) {
        var ch = text[i] || "";
        return /\d/.test(ch) || (ch === "." && /\d/.test(text[i - 1] || "") && /\d/.test(text[i + 1] || ""));
    }

    /** [s, e) widened to whole numbers ("5" of "0.5" → "0.5") and whole units. */
    function wholeUnits(p, s, e) {
        while (s > 0 && inNumber(p.text, s - 1) && inNumber(p.text, s)) {
            s--;
        }
        while (e < p.text.length && inNumber(p.text, e - 1) && inNumber(p.text, e)) {
            e++;
        }
        return {s: unitStart(p, s), e: e > 0 ? Math.max(e, unitEnd(p, e - 1)) : e, grown: true};
    }

    /** Grow [s, e) until it cuts no number, unit, tag, group or part separator. */
    function grow(p, s, e) {
        var span = wholeUnits(p, s, e);
        function visit(node) {
            node.children.forEach(function (k) {
                if (k.e <= span.s || k.s >= span.e || (k.s >= span.s && k.e <= span.e)) {
                    return;
                }
                if (slots(k).some(function (sl) { return within(sl, span.s, span.e); })) {
                    visit(k);
                } else {
                    span.s = Math.min(span.s, k.s);
                    span.e = Math.max(span.e, k.e);
                    span.grown = true;
                }
            });
        }
        while (span.grown) {
            span.grown = false;
            visit(p.root);
        }
        return span;
    }

    /** The innermost node with a slot holding [s, e), and that slot's index. */
    function container(p, s, e) {
        var node = p.root;
        var slot = 0;
        for (;;) {
            var hit = null;
            node.children.forEach(function (k) {
                slots(k).forEach(function (sl, i) {
                    if (!hit && within(sl, s, e)) {
                        hit = {node: k, slot: i};
                    }
                });
            });
            if (!hit) {
                return {node: node, slot: slot};
            }
            node = hit.node;
            slot = hit.slot;
        }
    }

    function spanTarget(p, s, e) {
        var c = container(p, s, e);
        var n = c.node;
        var exact = n.children.filter(function (k) {
            return k.s === s && k.e === e;
        })[0];
        if (exact) {
            return onNode(exact);
        }
        var whole = s === n.s + 1 && (e === n.e - 1 || e === n.colon);
        if (n.kind !== "root" && (whole || (n.kind === "weighted" && c.slot === 1))) {
            return onNode(n); // its content, its text or its weight: that group
        }
        if (n.kind === "sched" && c.slot === n.seps.length) {
            return null; // inside the step number
        }
        var defect = n.children.some(function (k) {
            return (k.kind === "stray" || k.kind === "broken") && k.s >= s && k.e <= e;
        });
        return defect ? null : {op: "wrap", s: s, e: e};
    }

    function selectionTarget(p, s, e) {
        var t = trimmed(p, s, e);
        if (!t) {
            return null;
        }
        var tag = findTagAround(p.root, t.s, t.e);
        if (tag) {
            return {op: "tag", node: tag};
        }
        var span = grow(p, t.s, t.e);
        return spanTarget(p, span.s, span.e);
    }

    function findTagAround(node, s, e) {
        var hit = null;
        node.children.forEach(function (k) {
            if (k.kind === "tag" && k.s <= s && e <= k.e) {
                hit = k;
            } else if (!hit && k.s <= s && e <= k.e) {
                hit = findTagAround(k, s, e);
            }
        });
        return hit;
    }

    // ---- the edit --------------------------------------------------------------------------

    function verified(p, candidate) {
        p.skeleton = p.skeleton || skeleton(p);
        return skeleton(parse(candidate.text)) === p.skeleton;
    }

    function apply(p, t, up, o) {
        switch (t.op) {
        case "tag":
            return editTag(p, t.node, up, o);
        case "weight":
            return editWeight(p, t.node, up, o);
        case "legacy":
            return editLegacy(p, t.node, up, o);
        default:
            return wrap(p, t.s, t.e, up, o);
        }
    }

    /**
     * Apply one Ctrl+Up (up=true) or Ctrl+Down to text with the selection [start, end).
     * @param {string} text the prompt
     * @param {number} start selectionStart
     * @param {number} end selectionEnd
     * @param {boolean} up Ctrl+Up when true, Ctrl+Down when false
     * @param {object} [opts] options from optionsFrom()
     * @returns {{text: string, start: number, end: number, changed: boolean}} the new text and
     *   selection; when no valid edit exists, the input unchanged and changed false
     */
    function adjust(text, start, end, up, opts) {
        var o = Object.assign({}, DEFAULTS, opts || {});
        var s = Math.max(0, Math.min(start, end, text.length));
        var e = Math.min(text.length, Math.max(start, end, 0));
        var p = parse(text);
        var target = s === e ? caretTarget(p, s, o) : selectionTarget(p, s, e);
        var r = target && apply(p, target, up, o);
        if (!r || r.text === text || !verified(p, r)) {
            return {text: text, start: start, end: end, changed: false};
        }
        r.changed = true;
        return r;
    }

    /** The weight the target already has: 1 for a bare span, the number of "(x:w)", A1111's
     * 1.1^n for n tight "(…)" (1/1.1^n for "[…]"), a tag's first multiplier. */
    function currentWeight(p, t, o) {
        if (t.op === "tag") {
            var f = tagFields(p.text, t.node);
            return f ? f.value : null;
        }
        if (t.op === "weight") {
            return parseFloat(NUMBER.exec(p.text.slice(t.node.colon + 1, t.node.e - 1))[0]);
        }
        if (t.op === "legacy") {
            return parseFloat(legacy(t.node, o).w.toPrecision(12));
        }
        return 1;
    }

    /**
     * What one step would change, for a stepper to show: the text it targets and its weight.
     * @returns {{label: string, weight: number, start: number, end: number}|null} null when
     *   neither direction has an edit there (the steps would be refused)
     */
    function describe(text, start, end, opts) {
        var o = Object.assign({}, DEFAULTS, opts || {});
        if (!adjust(text, start, end, true, o).changed && !adjust(text, start, end, false, o).changed) {
            return null;
        }
        var s = Math.max(0, Math.min(start, end, text.length));
        var e = Math.min(text.length, Math.max(start, end, 0));
        var p = parse(text);
        var t = s === e ? caretTarget(p, s, o) : selectionTarget(p, s, e);
        if (!t) {
            return null;
        }
        var node = t.op === "legacy" ? legacy(t.node, o).outer : t.node;
        var span = node ? [node.s, node.e] : [t.s, t.e];
        var inner = {weight: [t.node && t.node.s + 1, t.node && t.node.colon], legacy: [t.node && t.node.s + 1, t.node && t.node.e - 1]}[t.op] || span;
        return {label: text.slice(inner[0], inner[1]), weight: currentWeight(p, t, o), start: span[0], end: span[1]};
    }

    var api = {adjust: adjust, describe: describe, optionsFrom: optionsFrom, DEFAULTS: DEFAULTS};
    if (typeof module === "object" && module.exports) {
        module.exports = api;
    } else {
        root.EDeck = root.EDeck || {};
        root.EDeck.weight = api;
    }
})(typeof window !== "undefined" ? window : globalThis);
