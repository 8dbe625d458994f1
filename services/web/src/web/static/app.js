// Small progressive enhancements; every page works without them except the live duty desk.
"use strict";
document.addEventListener("submit", (event) => {
  // One tap sends a form once: a second tap while it is on its way is ignored.
  const form = event.target;
  if (form.dataset.sent) { event.preventDefault(); return; }
  form.dataset.sent = "1";
  form.querySelectorAll("button[type=submit]").forEach((b) => b.setAttribute("aria-busy", "true"));
});
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-sent]").forEach((f) => delete f.dataset.sent);
});
