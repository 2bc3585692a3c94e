// Starts the NHS.UK frontend components (header menu, skip link, error summary, …). The
// frontend's own template sets these body classes with an inline script, which our CSP forbids.
import { initAll } from "../vendor/nhsuk-frontend.min.js";

document.body.classList.remove("js-enabled-pending");
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
