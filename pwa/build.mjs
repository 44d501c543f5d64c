// Build the app shell into dist/: one JS bundle, one CSS file, the page, manifest, icons, and a
// service worker whose cache name is the hash of everything it precaches.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const out = "dist";
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync("public", out, { recursive: true });
await build({ entryPoints: ["src/main.js"], bundle: true, minify: true, format: "esm", target: ["chrome90", "safari15", "firefox90"], outfile: join(out, "app.js"), legalComments: "none" });
await build({ entryPoints: ["src/app.css"], bundle: true, minify: true, outfile: join(out, "app.css") });

function files(dir, prefix = "") {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}
const shell = files(out).filter((f) => f !== "sw.js").sort();
const hash = createHash("sha256");
for (const f of shell) hash.update(f).update(readFileSync(join(out, f)));
const version = hash.digest("hex").slice(0, 12);
const sw = readFileSync("src/sw.js", "utf8").replace("__VERSION__", version).replace("__SHELL__", JSON.stringify(["/", ...shell.map((f) => `/${f}`)]));
writeFileSync(join(out, "sw.js"), sw);
writeFileSync(join(out, "version.json"), JSON.stringify({ version, files: shell }));

let total = 0;
for (const f of [...shell, "sw.js"].filter((f) => !f.endsWith(".png"))) total += gzipSync(readFileSync(join(out, f))).length;
console.log(`ducha PWA ${version}: ${shell.length + 1} files, shell (text, gzip) ${(total / 1024).toFixed(1)} KB`);
