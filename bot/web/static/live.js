// The dashboard's only script, and pages work without it:
// - a <select data-submit> sends its form when changed;
// - a <form data-confirm="..."> asks before it is sent;
// - an element with an id and data-live="15" is fetched again every 15 seconds (today's
//   sessions filling up), replaced with the same element of the fresh page; it stops when the
//   fresh element no longer says data-live (the overview's figures, once recounted).
"use strict";
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-submit")) {
    field.form.requestSubmit();
  }
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
for (const part of document.querySelectorAll("[data-live][id]")) {
  const seconds = Math.max(2, Number(part.getAttribute("data-live")) || 15);
  const timer = window.setInterval(async () => {
    const shown = document.getElementById(part.id);
    if (!shown || !shown.hasAttribute("data-live")) {
      window.clearInterval(timer);
      return;
    }
    if (document.hidden) return;
    const response = await fetch(window.location.href, { credentials: "same-origin" });
    if (!response.ok) return;
    const fresh = new DOMParser()
      .parseFromString(await response.text(), "text/html")
      .getElementById(part.id);
    const current = document.getElementById(part.id);
    if (fresh && current) current.replaceWith(fresh);
  }, seconds * 1000);
}
