// OUR stand-in for the WebUI's script.js-style globals (gradioApp, onUiLoaded, updateInput,
// opts), injected before the page loads, to prove our JavaScript uses them when present.
// Each records its use in window.__hostCalls.
window.__hostCalls = {gradioApp: 0, onUiLoaded: 0, updateInput: 0};
window.opts = window.__testOpts || {};
window.gradioApp = function () {
    window.__hostCalls.gradioApp += 1;
    var el = document.querySelector("gradio-app");
    return (el && el.shadowRoot) || el || document;
};
window.onUiLoaded = function (fn) {
    window.__hostCalls.onUiLoaded += 1;
    var timer = setInterval(function () {
        if (document.querySelector("#txt2img_prompt")) {
            clearInterval(timer);
            fn();
        }
    }, 50);
};
window.updateInput = function (target) {
    window.__hostCalls.updateInput += 1;
    var e = new Event("input", {bubbles: true});
    Object.defineProperty(e, "target", {value: target});
    target.dispatchEvent(e);
};
