// Starts the NHS.UK frontend components (header menu, skip link, error summary, …).
import { initAll } from "../vendor/nhsuk-frontend.min.js";

document.body.classList.replace("js-enabled-pending", "js-enabled");
initAll();
