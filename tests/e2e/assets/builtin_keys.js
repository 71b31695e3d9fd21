// OUR stand-in for the WebUI's built-in Ctrl+Up/Down handler (not a copy of its AGPL code):
// registered the way the host registers its own — a keydown listener on window, bubble
// phase, on the same textareas — so a test can prove only one handler acts per key press.
// It counts its own firings in window.__builtinFired.
window.__builtinFired = 0;
window.addEventListener("keydown", function (ev) {
    var ta = ev.composedPath()[0];
    if (!(ev.ctrlKey || ev.metaKey) || (ev.key !== "ArrowUp" && ev.key !== "ArrowDown")) return;
    if (!ta || ta.tagName !== "TEXTAREA" || !ta.matches("*:is([id*='_toprow'] [id*='_prompt'], .prompt) textarea")) return;
    ev.preventDefault();
    window.__builtinFired += 1;
    var step = ev.key === "ArrowUp" ? 0.1 : -0.1;
    var v = ta.value;
    var m = /\(([^():]+):([\d.]+)\)/.exec(v);
    if (m) {
        var w = Math.round((parseFloat(m[2]) + step) * 10) / 10;
        ta.value = v.replace(m[0], "(" + m[1] + ":" + w.toFixed(1) + ")");
    } else {
        ta.value = "(" + v + ":" + (1 + step).toFixed(1) + ")";
    }
    ta.dispatchEvent(new Event("input", {bubbles: true}));
});
