// Builds coreflect/static/vendor/ from npm packages: the NHS.UK frontend CSS (with our own
// styles), its JS and images, and htmx. Nothing is fetched from a CDN at run time, and nothing
// is written outside coreflect/static/vendor/.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const out = join(root, "coreflect", "static", "vendor");
const nhsuk = join(modules, "nhsuk-frontend", "dist", "nhsuk");

const copies = [
  // nhsuk-frontend.min.js is an ES module (export { initAll, … }); js/app.mjs imports it.
  [join(nhsuk, "nhsuk-frontend.min.js"), join(out, "nhsuk-frontend.min.js")],
  [join(modules, "htmx.org", "dist", "htmx.min.js"), join(out, "htmx.min.js")],
  // Icons, favicons and the manifest; the CSS points at /static/vendor/assets/.
  [join(nhsuk, "assets"), join(out, "assets")],
];
for (const [from] of copies) {
  if (!existsSync(from)) {
    console.error(`Missing ${from}: run npm ci (or make assets) first.`);
    process.exit(1);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "frontend", "main.scss"), {
  loadPaths: [modules],
  style: "compressed",
  // The NHS.UK frontend's own deprecation notices are theirs to fix, not ours.
  quietDeps: true,
});
writeFileSync(join(out, "coreflect.css"), css.css);

for (const [from, to] of copies) {
  cpSync(from, to, { recursive: true });
}
console.log(`Built ${out} (coreflect.css ${Math.round(css.css.length / 1024)} kB)`);
