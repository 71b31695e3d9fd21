// The validity oracle for the weight tests: a strict reader of the WebUI's prompt grammar,
// written for the tests from host-contract §4 and the public description of the syntax
// (attention/emphasis, prompt editing, alternating words, extra networks). It shares no code
// with javascript/edeck_10_weight.js and copies none from the WebUI.
//
// Grammar (strict: anything else is an invalid prompt):
//   prompt   := item*                       ")" "]" "|" are not items at this level
//   item     := tag | "\" any | "(" group ")" | "[" square "]" | char
//   tag      := "<" word ":" not-">"+ ">"   cut out before brackets are read, so it is atomic
//   group    := item* [":" number]          the last ":" followed by only a number is the weight;
//                                           other ":" are text; "|" and "]" may not appear
//   square   := item*                       emphasis [x] (also [a:b], read as emphasis of "a:b")
//             | item* (":" item*){1,2} ":" number   prompt editing [a:b:N], [a:N], [a::N]
//             | item* ("|" item*)+          alternation [a|b]; ":" and "|" may not mix
//   number   := \s* [+-]? (digits [. digits*] | . digits) \s*
"use strict";

const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)\s*$/;
const TAG = /<(\w+):([^>]+)>/y;
const SYNTAX = new Set(["\\", "(", ")", "[", "]", "|", ":", "<"]);

function tagAt(text, i) {
    TAG.lastIndex = i;
    return TAG.exec(text);
}

class Invalid extends Error {
    constructor(message, at) {
        super(`${message} at ${at}`);
        this.at = at;
    }
}

class Reader {
    constructor(text) {
        this.text = text;
        this.pos = 0;
    }

    /** Items until EOF or one of the stop characters (left unread). */
    items(stops) {
        const out = [];
        const text = this.text;
        while (this.pos < text.length) {
            const ch = text[this.pos];
            const c = text.charCodeAt(this.pos);
            if (!SYNTAX.has(ch) && (c < 0xd800 || c > 0xdbff)) {
                out.push({t: "char", s: this.pos, e: ++this.pos, key: ch, mult: 1, pos: true});
                continue;
            }
            if (stops.includes(ch)) break;
            out.push(this.item(ch));
        }
        return out;
    }

    item(ch) {
        const start = this.pos;
        const tag = ch === "<" && tagAt(this.text, start);
        if (tag) {
            this.pos += tag[0].length;
            return {t: "tag", s: start, e: this.pos, type: tag[1], args: tag[2].split(":")};
        }
        if (ch === "(") return this.group();
        if (ch === "[") return this.square();
        if (ch === ")" || ch === "]" || ch === "|") throw new Invalid(`stray ${ch}`, start);
        const cp = this.text.codePointAt(start);
        let len = cp > 0xffff ? 2 : 1;
        if (ch === "\\" && start + 1 < this.text.length && !tagAt(this.text, start + 1)) {
            len = 1 + (this.text.codePointAt(start + 1) > 0xffff ? 2 : 1); // "\<lora:…>": the tag wins
        }
        this.pos += len;
        return {t: "char", s: start, e: this.pos, key: this.text.slice(start, this.pos), mult: 1, pos: true};
    }

    expect(ch, start) {
        if (this.text[this.pos] !== ch) throw new Invalid(`unclosed ${this.text[start]}`, start);
        this.pos++;
    }

    group() {
        const start = this.pos++;
        const items = this.items(")]|");
        this.expect(")", start);
        const colon = items.findLastIndex((x) => x.t === "char" && x.key === ":");
        const tail = items.slice(colon + 1);
        const tailText = tail.map((x) => (x.t === "char" ? x.key : "\u0000")).join("");
        if (colon !== -1 && NUMBER.test(tailText)) {
            return {t: "emph", s: start, e: this.pos, mult: parseFloat(tailText), items: items.slice(0, colon)};
        }
        return {t: "emph", s: start, e: this.pos, mult: 1.1, items};
    }

    square() {
        const start = this.pos++;
        const parts = [this.items("]:|)")];
        const seps = [];
        while (this.text[this.pos] === ":" || this.text[this.pos] === "|") {
            seps.push({t: "char", key: this.text[this.pos], s: this.pos, e: ++this.pos, mult: 1, pos: true});
            parts.push(this.items("]:|)"));
        }
        this.expect("]", start);
        return this.squareKind(start, parts, seps);
    }

    squareKind(start, parts, seps) {
        const span = {s: start, e: this.pos};
        if (!seps.length) return {t: "emph", ...span, mult: 1 / 1.1, items: parts[0]};
        if (seps.every((c) => c.key === "|")) return {t: "alt", ...span, parts};
        if (!seps.every((c) => c.key === ":")) throw new Invalid("\":\" and \"|\" mixed in []", start);
        const last = parts[parts.length - 1];
        const number = last.every((x) => x.t === "char" && x.key[0] !== "\\") && last.map((x) => x.key).join("");
        if (seps.length <= 2 && number !== false && NUMBER.test(number)) {
            return {t: "sched", ...span, parts: parts.slice(0, -1), number: number.trim()};
        }
        const items = parts.flatMap((p, i) => (i ? [seps[i - 1], ...p] : p));
        return {t: "emph", ...span, mult: 1 / 1.1, items};
    }
}

/** Parse a prompt strictly: {ok: true, items} or {ok: false, error}. */
function parsePrompt(text) {
    const r = new Reader(text);
    try {
        const items = r.items(")]|");
        if (r.pos < text.length) throw new Invalid(`stray ${text[r.pos]}`, r.pos);
        return {ok: true, items};
    } catch (err) {
        if (err instanceof Invalid) return {ok: false, error: err.message};
        throw err;
    }
}

/** A tag as the WebUI names it, and its first multiplier (args[1]) apart. */
function tagKey(x) {
    return `<${x.type}:${x.args[0]}:#:${x.args.slice(2).join(":")}>`;
}

/**
 * Flatten parsed items into units: every text character (an escape is one unit) with its
 * effective multiplier (pos: every enclosing one is > 0), every tag (key without its
 * multiplier), and markers for the structure of prompt editing and alternation, with the
 * step number kept as text.
 */
function flatten(items, mult = 1, out = [], pos = true) {
    const mark = (key) => out.push({key, mark: true});
    for (const x of items) {
        if (x.t === "char") {
            x.mult = mult; // the parsed items are this prompt's own: set in place, no copies
            x.pos = pos;
            out.push(x);
        }
        else if (x.t === "tag") out.push({key: tagKey(x), tag: x.args[1] ?? "", s: x.s, e: x.e});
        else if (x.t === "emph") flatten(x.items, mult * x.mult, out, pos && x.mult > 0);
        else {
            mark(x.t === "sched" ? "\u0001[sched" : "\u0001[alt");
            x.parts.forEach((p, i) => {
                if (i) mark(x.t === "sched" ? "\u0001:" : "\u0001|");
                flatten(p, mult, out, pos);
            });
            if (x.t === "sched") mark(`\u0001:${x.number}`);
            mark("\u0001]");
        }
    }
    return out;
}

/** Unmatched brackets, escape- and tag-aware: a rough badness measure for invalid prompts. */
function unmatched(text) {
    const stack = [];
    let bad = 0;
    for (let i = 0; i < text.length; i++) {
        const tag = tagAt(text, i);
        if (tag) i += tag[0].length - 1;
        else if (text[i] === "\\" && !tagAt(text, i + 1)) i++;
        else if (text[i] === "(" || text[i] === "[") stack.push(text[i]);
        else if (text[i] === ")" || text[i] === "]") {
            if (stack.length && stack[stack.length - 1] === (text[i] === ")" ? "(" : "[")) stack.pop();
            else bad++;
        }
    }
    return bad + stack.length;
}

module.exports = {parsePrompt, flatten, unmatched, NUMBER};
