// Starts the NHS.UK frontend components (header menu, skip link, error summary, …). The
// frontend's own page template sets these body classes with an inline script, which our CSP
// forbids, so this module does it.
import { initAll } from "../vendor/nhsuk-frontend.min.js";

document.body.classList.remove("js-enabled-pending");
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// Content that htmx swaps in (filtered tables, forms with errors) gets its components started
// too. Components already started are skipped quietly; other problems still reach the console.
document.body.addEventListener("htmx:load", (event) => {
  const element = event.detail.elt;
  if (element === document.body || !element.parentElement) {
    return;
  }
  initAll({
    scope: element.parentElement,
    onError: (error) => {
      if (error.name !== "InitError") {
        console.error(error);
      }
    },
  });
});
