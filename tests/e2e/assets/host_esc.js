// OUR stand-in for the WebUI's Esc → Interrupt (script.js), not a copy of its code: a
// document keydown listener, bubble phase, that clicks the current tab's interrupt button
// when there is one and counts every Esc it sees in window.__interrupts.
window.__interrupts = 0;
document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape") return;
    window.__interrupts += 1;
    var button = document.querySelector("#txt2img_interrupt");
    if (button) button.click();
});
