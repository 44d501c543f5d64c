// 安装到桌面: where the browser offers to install the app (Chrome and Edge on Android fire
// beforeinstallprompt), keep the offer and show it with the reason: an installed app opens without
// the browser's bars and its storage is kept (persistent), so offline visits and photos are safer.
import { h } from "./ui/dom.js";
import { t } from "./messages.js";

let offer = null;
export const installEvents = new EventTarget();

export function listenForInstall() {
  window.addEventListener("beforeinstallprompt", (e) => {
    e.preventDefault(); // our card, with the reason, instead of the browser's mini bar
    offer = e;
    installEvents.dispatchEvent(new Event("change"));
  });
  window.addEventListener("appinstalled", () => {
    offer = null;
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    installEvents.dispatchEvent(new Event("change"));
  });
}

// the card, or null when the browser offers nothing (installed already, iOS, WeChat, desktop Firefox)
export function installCard() {
  if (!offer) return null;
  const button = h("button.primary.big", { type: "button", onclick: async () => {
    const e = offer;
    offer = null;
    button.disabled = true;
    await e.prompt(); // an offer is used once: refused, it is not shown again until the browser offers anew
    await e.userChoice.catch(() => null);
    card.remove();
  } }, t.install);
  const card = h("section.card.install", h("h2", t.install), h("p", t.installWhy), button);
  return card;
}
