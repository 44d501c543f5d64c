// A tiny DOM builder: h("button#id.big", {onclick}, "text", child, ...).

export function h(tag, attrs, ...children) {
  const [head, ...classes] = tag.split(".");
  const [name, id] = head.split("#");
  const el = document.createElement(name || "div");
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(" ");
  if (attrs && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className += (el.className ? " " : "") + v;
    else if (k in el && k !== "list" && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Replace an element's children; null, undefined and false are left out (the native
// replaceChildren writes them as the text "null").
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function mount(el) {
  const root = document.getElementById("main");
  root.replaceChildren(el);
  window.scrollTo(0, 0);
}

let toastTimer = null;
// A message at the bottom; with ``action`` it is a button (tappable, kept up longer).
export function toast(message, kind = "info", action = null) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.className = `toast show ${kind}${action ? " action" : ""}`;
  el.onclick = action ? () => { el.className = "toast"; action(); } : null;
  el.setAttribute("role", action ? "button" : "status");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.className = "toast"; el.onclick = null; }, action ? 30000 : 4000);
}

export const go = (hash) => { location.hash = hash; };

// A destructive action asks twice, in the page (no window.confirm: some webviews block it):
// the first tap shows the warning and arms the button for five seconds.
export function confirmTap(button, message, action) {
  if (button.dataset.armed) {
    delete button.dataset.armed;
    return action();
  }
  const label = button.textContent;
  button.dataset.armed = "1";
  button.textContent = "再点一次确认";
  toast(message, "error");
  setTimeout(() => { delete button.dataset.armed; button.textContent = label; }, 5000);
}
