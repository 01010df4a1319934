// Customer 360 Lookup: small behaviours layered on pages that work without
// JavaScript. Loaded as a file because the CSP forbids inline scripts.
"use strict";

// Copy buttons name the element whose text they copy in data-copy-target.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copyTarget);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(function () {
    button.dataset.copied = "true";
  });
});

// The server already drops events repeated across a page boundary; this keeps
// the list unique even if two loaders race, by PrimeData id plus time stamp.
document.addEventListener("htmx:afterSwap", function () {
  const list = document.getElementById("timeline-events");
  if (!list) return;
  const shown = new Set();
  list.querySelectorAll(".event[data-event-key]").forEach(function (item) {
    if (shown.has(item.dataset.eventKey)) item.remove();
    else shown.add(item.dataset.eventKey);
  });
});

// Timeline filters: a chip, a period preset or the order applies at once by
// submitting the GET form, so the new view gets its own URL and history
// entry. Custom dates wait for the Apply button, since one date alone is
// rarely what the agent means.
document.addEventListener("change", function (event) {
  const form = event.target.closest("form[data-auto-submit]");
  if (!form || event.target.type === "date" || event.target.value === "custom") return;
  form.requestSubmit();
});
