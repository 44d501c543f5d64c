// Log in (online, once); afterwards the app works offline with what it cached.
import { login } from "../data.js";
import { t } from "../messages.js";
import { h, mount, go } from "./dom.js";
import { NetworkError } from "../api.js";
import { drain } from "../outbox.js";

export function loginScreen(message) {
  const user = h("input", { name: "username", autocomplete: "username", placeholder: t.username, required: true, autocapitalize: "off" });
  const pass = h("input", { name: "password", type: "password", autocomplete: "current-password", placeholder: t.password, required: true });
  const error = h("p.warn", { role: "alert" }, message || "");
  const button = h("button.primary.big", { type: "submit" }, t.login);
  const form = h("form.card.login", { onsubmit: async (e) => {
    e.preventDefault();
    button.disabled = true;
    error.textContent = "";
    try {
      await login(user.value.trim(), pass.value);
      go("#/");
      drain(); // what waited for this log-in goes now, not at the next tap
    } catch (err) {
      error.textContent = err instanceof NetworkError ? t.needOnlineLogin : `${t.loginFailed}：${err.message}`;
    } finally {
      button.disabled = false;
    }
  } }, h("h1", t.appTitle), h("label", t.username, user), h("label", t.password, pass), error, button, h("p.muted", t.needOnlineLogin));
  mount(form);
}
