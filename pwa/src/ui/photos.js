// A row of photo thumbnails with their distance to the site, and a camera button.
import * as store from "../store.js";
import { capture, discard } from "../capture.js";
import { position, formatDistance } from "../geo.js";
import { objectUrl } from "../photo.js";
import { photoWarnings, FAR_M } from "../photocheck.js";
import { h, toast, fill } from "./dom.js";
import { t, formatDay, formatBytes } from "../messages.js";
import { linkRate } from "../upload.js";

// seconds as a person says them: "40 秒", "约 7 分钟", "约 1.5 小时"
function formatDuration(seconds) {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} 秒`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} 分钟`;
  return `${(seconds / 3600).toFixed(1)} 小时`;
}

// uuids: current list; owner: {site, inspection, template, item, label}; onChange(newList);
// since(): the visit's start (ISO), so a photo taken before it is marked (none: a rectification photo)
export function photoStrip(uuids, owner, onChange, { editable = true, label = t.takePhoto, since = () => null } = {}) {
  const strip = h("div.photos");
  const list = [...uuids];
  const render = async () => {
    const cells = [];
    for (const id of list) {
      const rec = await store.get("photos", id);
      const img = rec && !rec.thumb && rec.mime === "image/heic"
        ? h("span.no-preview", t.heicNoPreview) // the browser cannot show it; the server converts it
        : h("img", { alt: "照片", src: rec ? objectUrl(rec.thumb) : "" });
      const dist = rec && rec.distance_m != null
        ? h("span", { class: rec.distance_m > FAR_M ? "far" : "" }, t.photoDistance(formatDistance(rec.distance_m)))
        : h("span", t.photoNoPosition);
      const old = rec && photoWarnings(rec, { since: since(), now: new Date(rec.captured_at) }).some((w) => w.kind === "old")
        ? h("span.far", ` · ${t.photoOldTag}`) : null;
      // removable until the visit or round is submitted, uploaded or not (an upload no visit names
      // is not evidence of anything)
      const remove = editable
        ? h("button.remove", { type: "button", "aria-label": "删除照片", onclick: async () => {
            await discard(id);
            list.splice(list.indexOf(id), 1);
            onChange([...list]);
            render();
          } }, "×")
        : null;
      cells.push(h("figure.thumb", img, h("figcaption", dist, old), remove));
    }
    fill(strip, ...cells);
    if (editable) strip.append(cameraButton(owner, async (records) => {
      list.push(...records.map((r) => r.uuid));
      onChange([...list]);
      render();
    }, label, since));
  };
  render();
  return strip;
}

export function cameraButton(owner, onCaptured, label = t.takePhoto, since = () => null) {
  let pos = null;
  const input = h("input", { type: "file", accept: "image/*", capture: "environment", multiple: true, class: "hidden-input",
    "aria-label": label, tabindex: -1 }); // the visible button opens it
  const button = h("button.camera", { type: "button", onclick: () => { pos = position(); input.click(); } }, label);
  input.addEventListener("change", async () => {
    const files = [...input.files];
    input.value = "";
    if (!files.length) return;
    button.disabled = true;
    button.textContent = t.processingPhoto;
    const records = [];
    try {
      for (const file of files) records.push(await capture(file, owner, pos || position()));
    } catch (err) {
      toast(`${t.photoFailed}：${err.message}`, "error");
    } finally {
      button.disabled = false;
      fill(button, label);
    }
    // an HEIC this browser cannot convert goes as it is: its size and how long it will take, now
    const heic = records.filter((r) => r.mime === "image/heic");
    if (heic.length) {
      const bytes = heic.reduce((n, r) => n + (r.bytes ? r.bytes.byteLength : 0), 0);
      const rate = linkRate();
      toast(t.heicSent(formatBytes(bytes), t.uploadEstimate(rate, formatDuration(bytes / (rate || 4096)))), "warn");
    }
    // what the server will flag, said now while a better photo can still be taken
    const warnings = records.flatMap((r) => photoWarnings(r, { since: since() }));
    const old = warnings.find((w) => w.kind === "old"), far = warnings.find((w) => w.kind === "far");
    if (old || far) toast([old ? t.photoOld(formatDay(old.taken)) : "", far ? t.photoFar(formatDistance(far.m)) : ""].join(""), "warn");
    if (records.length) onCaptured(records);
  });
  return h("span.camera-wrap", button, input);
}
