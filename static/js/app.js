// Customer 360 Lookup: small behaviours layered on pages that work without
// JavaScript. Loaded as a file because the CSP forbids inline scripts.
"use strict";

// Copy buttons name the element whose text they copy in data-copy-target.
// A timeline event's button (data-copy-event) copies the event as text.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-copy-target], [data-copy-event]");
  if (!button || !navigator.clipboard) return;
  const text = copiedText(button);
  if (text === null) return;
  navigator.clipboard.writeText(text).then(function () {
    button.dataset.copied = "true";
    announceCopied(button);
  });
});

function copiedText(button) {
  if (button.dataset.copyTarget !== undefined) {
    const source = document.getElementById(button.dataset.copyTarget);
    return source ? source.textContent.trim() : null;
  }
  const item = button.closest(".event");
  return item ? eventText(item) : null;
}

// An event as plain text for pasting into a ticket, read from the event's
// markup: the label and raw name, time, source and ID, then the properties,
// each nested level indented by two more spaces. The labels of the time and
// source lines come translated from the timeline's list.
function eventText(item) {
  const labels = item.closest("[data-time-label]").dataset;
  const name = item.querySelector(".event-name");
  const lines = [
    shownText(name) + " (" + name.title + ")",
    labels.timeLabel + ": " + item.querySelector(".event-time").title,
    labels.sourceLabel + ": " + shownText(item.querySelector(".event-source")),
    "ID: " + item.dataset.eventId,
  ];
  const properties = item.querySelector(".event-details > .event-properties");
  if (properties) propertyLines(properties, 0, lines);
  return lines.join("\n");
}

// A <dl class="event-properties"> contains a mapping and an
// <ol class="event-value-list"> a list of lists or mappings.
function propertyLines(container, depth, lines) {
  const indent = "  ".repeat(depth);
  if (container.tagName === "DL") {
    container.querySelectorAll(":scope > dt").forEach(function (term) {
      valueLines(indent + shownText(term) + ":", term.nextElementSibling, depth, lines);
    });
  } else {
    container.querySelectorAll(":scope > li").forEach(function (entry) {
      valueLines(indent + "-", entry, depth, lines);
    });
  }
}

// A non-empty mapping or list gets a head line and nests below it. Any other
// value follows its head on one line, and so does "(none)" of an empty one.
function valueLines(head, holder, depth, lines) {
  const nested = holder.querySelector(":scope > .event-properties, :scope > .event-value-list");
  if (nested && nested.querySelector(":scope > dt, :scope > li")) {
    lines.push(head);
    propertyLines(nested, depth + 1, lines);
  } else {
    lines.push(head + " " + shownText(holder));
  }
}

// The text of an element without relative hints such as "(hôm qua)", which
// would be wrong by the time someone reads the ticket.
function shownText(element) {
  return collectText(element).trim();
}

function collectText(node) {
  let text = "";
  node.childNodes.forEach(function (child) {
    if (child.nodeType === Node.TEXT_NODE) {
      text += child.nodeValue;
    } else if (child.nodeType === Node.ELEMENT_NODE && !child.classList.contains("moment-hint")) {
      text += collectText(child);
    }
  });
  return text;
}

// "Copied" shows on the button for a moment and is read out by the status
// region in base.html; the button keeps its accessible name meanwhile.
function announceCopied(button) {
  const status = document.getElementById("copy-status");
  const text = status ? status.dataset.copiedText : "";
  if (!text) return;
  status.textContent = "";
  window.setTimeout(function () { status.textContent = text; }, 50);
  if (!button.dataset.label) button.dataset.label = button.textContent;
  button.textContent = text;
  window.clearTimeout(Number(button.dataset.resetTimer || 0));
  button.dataset.resetTimer = String(window.setTimeout(function () {
    button.textContent = button.dataset.label;
    delete button.dataset.copied;
  }, 2000));
}

// The server already drops events repeated across a page boundary. This keeps
// the list unique even if two loaders race, keyed by the event's digest.
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

// The summary strip counts the key event kinds among the events loaded so
// far, and, for an unfiltered newest-first timeline without a last-activity
// trait, shows the newest event as the last activity.
function updateSummary() {
  const list = document.getElementById("timeline-events");
  const counts = document.getElementById("summary-counts");
  if (!list || !counts) return;
  counts.querySelectorAll("[data-event-count]").forEach(function (item) {
    item.textContent = list.querySelectorAll(".event-kind-" + item.dataset.eventCount).length;
  });
  counts.hidden = false;
  const activity = document.querySelector("#summary-last-activity[data-from-timeline]");
  const newest = list.querySelector(".event .event-time[datetime]");
  if (activity && newest) {
    activity.textContent = newest.title + " (" + relativeTime(newest.getAttribute("datetime")) + ")";
    activity.removeAttribute("data-from-timeline");
  }
}

// "3 ngày trước" in the page's language, counted in whole elapsed units.
function relativeTime(iso) {
  const seconds = (Date.now() - Date.parse(iso)) / 1000;
  const format = new Intl.RelativeTimeFormat(document.documentElement.lang || "vi", { numeric: "auto" });
  if (seconds < 3600) return format.format(-Math.max(1, Math.floor(seconds / 60)), "minute");
  if (seconds < 86400) return format.format(-Math.floor(seconds / 3600), "hour");
  return format.format(-Math.floor(seconds / 86400), "day");
}

document.addEventListener("htmx:afterSwap", updateSummary);

// Keyboard shortcuts, listed in the "?" dialog of base.html. Letters are
// ignored while the agent types in a field or presses a modifier key.
function isTyping(target) {
  return target.closest("input, textarea, select, [contenteditable]") !== null;
}

function moveEvent(step) {
  const events = Array.from(document.querySelectorAll("#timeline-events .event"));
  if (!events.length) return;
  const current = events.indexOf(document.activeElement.closest(".event"));
  const next = current < 0 ? 0 : Math.min(events.length - 1, Math.max(0, current + step));
  events.forEach(function (item) { item.classList.remove("event-current"); });
  events[next].classList.add("event-current");
  events[next].focus();
  events[next].scrollIntoView({ block: "nearest" });
}

document.addEventListener("keydown", function (event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const dialog = document.getElementById("shortcuts-dialog");
  if (event.key === "Escape") {
    if (dialog && dialog.open) return;  // The dialog closes itself on Escape.
    const open = document.activeElement.closest("details[open]") ||
      document.querySelector("#timeline-events .event-current details[open]");
    if (open) {
      open.open = false;
      (open.closest(".event") || open.querySelector("summary")).focus();
    } else if (isTyping(event.target)) {
      event.target.blur();
    }
    return;
  }
  if (isTyping(event.target) || (dialog && dialog.open)) return;
  if (event.key === "/") {
    const box = document.querySelector("[data-search-box]");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  } else if (event.key === "?") {
    if (!dialog) return;
    event.preventDefault();
    dialog.showModal();
  } else if (event.key === "j" || event.key === "k") {
    event.preventDefault();
    moveEvent(event.key === "j" ? 1 : -1);
  } else if (event.key === "o") {
    const current = document.activeElement.closest(".event");
    const details = current && current.querySelector(".event-details");
    if (!details) return;
    event.preventDefault();
    details.open = !details.open;
  }
});

document.addEventListener("click", function (event) {
  if (!event.target.closest("[data-shortcuts-open]")) return;
  const dialog = document.getElementById("shortcuts-dialog");
  if (dialog) dialog.showModal();
});
