// Photos on the phone: EXIF read before compression (pickers and WeChat strip it on upload),
// the browser's position at capture, a 1600 px JPEG at 80 % for the outbox, a small thumbnail.
import exifr from "exifr/dist/lite.esm.js";

export const LONG_EDGE = 1600;
export const QUALITY = 0.8;
const THUMB_EDGE = 240;

export async function readExif(file) {
  try {
    // exifr's lite build: EXIF + GPS of JPEG/TIFF; raw values (no Date objects in the phone's zone)
    const tags = await exifr.parse(file, { ifd0: false, exif: ["DateTimeOriginal", "OffsetTimeOriginal"], gps: true, reviveValues: false, translateValues: false });
    const taken = tags && typeof tags.DateTimeOriginal === "string" ? tags.DateTimeOriginal : null;
    const ok = (v) => typeof v === "number" && Number.isFinite(v);
    return {
      lat: tags && ok(tags.latitude) && ok(tags.longitude) ? tags.latitude : null,
      lon: tags && ok(tags.latitude) && ok(tags.longitude) ? tags.longitude : null,
      // "2008:10:22 16:28:39" (camera local time) -> "2008-10-22T16:28:39"
      taken: taken && /^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d/.test(taken) ? taken.slice(0, 10).replaceAll(":", "-") + "T" + taken.slice(11, 19) : null,
      offset: tags && typeof tags.OffsetTimeOriginal === "string" && /^[+-]\d\d:\d\d$/.test(tags.OffsetTimeOriginal) ? tags.OffsetTimeOriginal : null,
    };
  } catch {
    return { lat: null, lon: null, taken: null, offset: null };
  }
}

async function decode(file) {
  if ("createImageBitmap" in window) {
    try { return await createImageBitmap(file, { imageOrientation: "from-image" }); } catch { /* fall through */ }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

function toJpeg(source, width, height, edge, quality) {
  const scale = Math.min(1, edge / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale)), h = Math.max(1, Math.round(height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(source, 0, 0, w, h);
  return new Promise((resolve, reject) => canvas.toBlob(async (blob) => {
    if (!blob) return reject(new Error("toBlob failed"));
    resolve({ bytes: await blob.arrayBuffer(), width: w, height: h });
  }, "image/jpeg", quality));
}

export async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const HEIF_BRANDS = ["heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1"];
// the server's limit for one photo (DUCHA_PHOTO_MAX_BYTES' default)
const ORIGINAL_MAX = 20 * 1024 * 1024;

// An iPhone photo (HEIC/HEIF), by its type, its name or its first bytes (pickers often give no type).
export async function isHeif(file) {
  if (/^image\/hei[cf]/i.test(file.type || "") || /\.hei[cf]$/i.test(file.name || "")) return true;
  const head = new Uint8Array(await file.slice(4, 12).arrayBuffer());
  const text = String.fromCharCode(...head);
  return text.slice(0, 4) === "ftyp" && HEIF_BRANDS.includes(text.slice(4, 8));
}

// file -> {bytes, thumb, sha256, width, height, original_bytes, exif, mime}
export async function prepare(file) {
  const exif = await readExif(file);
  let image;
  try {
    image = await decode(file);
  } catch {
    if (!(await isHeif(file))) throw new Error("无法读取这张照片（格式不受支持或文件已损坏），请换一张或直接用相机拍照");
    // this browser cannot decode HEIC: the original goes as it is, the server converts it
    if (file.size > ORIGINAL_MAX) throw new Error("这张 HEIC 照片超过 20 MB，请在手机相机设置中改为“兼容性最佳”后重拍");
    const bytes = await file.arrayBuffer();
    return { bytes, thumb: null, width: null, height: null, sha256: await sha256Hex(bytes), original_bytes: file.size, exif, mime: "image/heic" };
  }
  const width = image.width || image.naturalWidth, height = image.height || image.naturalHeight;
  const main = await toJpeg(image, width, height, LONG_EDGE, QUALITY);
  const thumb = await toJpeg(image, width, height, THUMB_EDGE, 0.7);
  if (image.close) image.close();
  return {
    bytes: main.bytes, thumb: thumb.bytes, width: main.width, height: main.height,
    sha256: await sha256Hex(main.bytes), original_bytes: file.size, exif, mime: "image/jpeg",
  };
}

export function objectUrl(bytes) {
  return bytes ? URL.createObjectURL(new Blob([bytes], { type: "image/jpeg" })) : "";
}
