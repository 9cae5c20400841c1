// The dashboard's only script, and pages work without it:
// - a <select data-submit> sends its form when changed;
// - a <form data-confirm="..."> asks before it is sent;
// - an element with an id and data-live="15" is fetched again every 15 seconds (today's
//   sessions filling up), replaced with the same element of the fresh page.
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
  const seconds = Math.max(5, Number(part.getAttribute("data-live")) || 15);
  window.setInterval(async () => {
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
