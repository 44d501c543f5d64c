// Taking a photo: EXIF and the browser's position at capture, compression, then the photo and its
// outbox entry written together, so a photo the user saw is never only in memory.
import * as store from "./store.js";
import { enqueue } from "./outbox.js";
import { prepare } from "./photo.js";
import { position, distanceM } from "./geo.js";
import { uuid4 } from "./uuid.js";

// owner: {site, inspection (uuid|null), template, item}
export async function capture(file, owner, positionPromise) {
  const [prepared, pos] = await Promise.all([prepare(file), positionPromise || position()]);
  const capture = pos && !pos.error ? pos : null;
  const id = uuid4();
  const exif = prepared.exif;
  const record = {
    uuid: id, ...owner, site_id: owner.site.id, site: undefined,
    bytes: prepared.bytes, thumb: prepared.thumb, sha256: prepared.sha256, mime: prepared.mime,
    width: prepared.width, height: prepared.height, size: prepared.bytes.byteLength, original_bytes: prepared.original_bytes,
    exif, capture, captured_at: new Date().toISOString(), synced: false,
    distance_m: photoDistance(exif, capture, owner.site),
    query: {
      site_id: owner.site.id, inspection: owner.inspection || "", template: owner.template || "", item: owner.item || "",
      lat: capture ? capture.lat : "", lon: capture ? capture.lon : "", accuracy: capture ? capture.accuracy_m : "",
      coord: "wgs84", captured_at: new Date().toISOString(),
      exif_lat: exif.lat ?? "", exif_lon: exif.lon ?? "", exif_time: exif.taken || "", exif_offset: exif.offset || "",
    },
  };
  delete record.site;
  await store.together(["photos", "outbox"], async (tx) => {
    await tx.objectStore("photos").put(record);
    await enqueue(tx, { kind: "photo", uuid: id, label: owner.label || "" });
  });
  return record;
}

export function photoDistance(exif, capture, site) {
  const p = exif && exif.lat != null ? exif : capture;
  if (!p || p.lat == null || !site) return null;
  return distanceM(p.lat, p.lon, site.lat, site.lon);
}

// A photo the user removed before it was sent leaves the outbox too.
export async function discard(uuid) {
  await store.together(["photos", "outbox"], async (tx) => {
    await tx.objectStore("photos").delete(uuid);
    await tx.objectStore("outbox").delete(`photo:${uuid}`);
  });
}

// {uuid: sha256} of the photos named here that this phone took: sent with a visit or a round, so the
// server knows which file completes each photo that has not arrived yet (evidence cannot be swapped).
export async function photoHashes(uuids) {
  const out = {};
  for (const id of uuids) {
    const photo = await store.get("photos", id);
    if (photo && photo.sha256) out[id] = photo.sha256;
  }
  return out;
}
