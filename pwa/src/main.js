// Start-up and routing. The outbox drains on start, on "online", when the app comes back to the
// foreground, and on the 立即同步 button; it never depends on the service worker.
import { loadSession, refresh, logout, session, isCity, CITY, INSPECTORS } from "./data.js";
import { drain, events, status } from "./outbox.js";
import { t } from "./messages.js";
import { h, toast, mount, confirmTap, fill } from "./ui/dom.js";
import { loginScreen } from "./ui/login.js";
import { homeScreen, newVisitScreen, chooseTemplatesScreen } from "./ui/home.js";
import { visitScreen } from "./ui/visit.js";
import { issuesScreen, issueScreen } from "./ui/issues.js";
import { syncScreen, renderSyncBar } from "./ui/sync.js";
import { dashboardScreen } from "./ui/dashboard.js";
import { ledgersScreen } from "./ui/ledgers.js";
import { sitesDesk } from "./ui/desk_sites.js";
import { issuesDesk, issueDesk } from "./ui/desk_issues.js";
import { submissionsDesk } from "./ui/desk_submissions.js";
import { plansDesk, planDesk } from "./ui/desk_plans.js";
import { assessmentDesk, countyAssessmentDesk } from "./ui/desk_assessment.js";
import { auditDesk } from "./ui/desk_audit.js";
import { awaitingDesk } from "./ui/desk_awaiting.js";
import { usersDesk } from "./ui/desk_users.js";
import { templatesDesk } from "./ui/desk_templates.js";
import { listenForInstall, installEvents } from "./install.js";

const only = (roles) => (screen) => (m) => (roles.includes(session.me.role)
  ? screen(m) : mount(h("p.card.notice", t.inspectorsOnly)));
// city inspectors visit unannounced; county teams inspect their own sites (县级自查)
const inspectorOnly = only(INSPECTORS);
const cityOnly = only(CITY);
// the office desk: the city office and the county teams
const deskOnly = only(["city_admin", "county_team"]);
const adminOnly = only(["city_admin"]);

const routes = [
  [/^#\/new\/(\d+)$/, inspectorOnly((m) => chooseTemplatesScreen(m[1]))],
  [/^#\/new$/, inspectorOnly(() => newVisitScreen())],
  // #/visit/<uuid>/<template>/<item>: open the visit at that item (a problem the server named)
  [/^#\/visit\/([0-9a-f-]{36})(?:\/([^/]+)\/([^/]+))?$/, inspectorOnly((m) => visitScreen(m[1], m[2] ? `${decodeURIComponent(m[2])}/${decodeURIComponent(m[3])}` : null))],
  [/^#\/issues$/, () => issuesScreen()],
  [/^#\/issue\/(\d+)$/, (m) => issueScreen(m[1])],
  [/^#\/sync$/, () => syncScreen()],
  [/^#\/dashboard$/, cityOnly(() => dashboardScreen())],
  [/^#\/ledgers$/, inspectorOnly(() => ledgersScreen())],
  [/^#\/desk\/sites$/, deskOnly(() => sitesDesk())],
  [/^#\/desk\/issues$/, deskOnly(() => issuesDesk())],
  [/^#\/desk\/issue\/(\d+)$/, deskOnly((m) => issueDesk(m[1]))],
  [/^#\/desk\/submissions$/, deskOnly(() => submissionsDesk())],
  [/^#\/desk\/plans$/, deskOnly(() => plansDesk())],
  [/^#\/desk\/assessment$/, adminOnly(() => assessmentDesk())],
  [/^#\/desk\/audit$/, adminOnly(() => auditDesk())],
  [/^#\/desk\/awaiting$/, adminOnly(() => awaitingDesk())],
  [/^#\/desk\/users$/, adminOnly(() => usersDesk())],
  [/^#\/desk\/templates$/, deskOnly(() => templatesDesk())],
  [/^#\/desk\/assessment\/(\d+)$/, adminOnly((m) => countyAssessmentDesk(m[1]))],
  [/^#\/desk\/plan\/([0-9a-f-]{36})$/, deskOnly((m) => planDesk(m[1]))],
];

async function route() {
  if (!session.me) {
    document.getElementById("nav").hidden = true;
    return loginScreen();
  }
  renderNav();
  renderSyncBar();
  const hash = location.hash || "#/";
  document.getElementById("main").classList.toggle("wide", hash.startsWith("#/desk/")); // desk screens use the width
  for (const [re, screen] of routes) {
    const m = hash.match(re);
    if (m) return screen(m);
  }
  return homeScreen();
}

function renderNav() {
  const nav = document.getElementById("nav");
  const here = (location.hash || "#/").split("/")[1] || "";
  const link = (href, label, key) => h("a", { href, class: here === key ? "on" : "" }, label);
  const city = isCity(session.me);
  fill(nav, link("#/", t.home, ""), link("#/issues", t.issues, "issues"),
    city ? link("#/dashboard", "总览", "dashboard") : null,
    ["city_admin", "county_team"].includes(session.me.role) ? link("#/desk/issues", "办公", "desk") : null,
    link("#/sync", t.sync, "sync"),
    h("button.link", { type: "button", onclick: async (e) => {
      const button = e.currentTarget;
      const { pending } = await status();
      const out = async () => { await logout(); route(); };
      return pending ? confirmTap(button, t.confirmLogout(pending), out) : out();
    } }, t.logout));
  nav.hidden = false;
}

async function sync() {
  if (!session.me) return;
  await drain();
  if (navigator.onLine) await refresh().catch(() => {});
}

async function start() {
  listenForInstall(); // before anything awaits: the browser may offer it at once
  installEvents.addEventListener("change", () => { if (session.me && ["", "#/", "#/sync"].includes(location.hash)) route(); });
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  await loadSession();
  window.addEventListener("hashchange", route);
  window.addEventListener("online", sync);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") sync(); });
  events.addEventListener("auth", () => toast(t.sessionExpired, "error"));
  await renderSyncBar();
  await route();
  document.documentElement.dataset.ready = "1";
  performance.mark("ducha-ready"); // the first screen is on: measured by bench/pwa_shell.py
  sync();
  registerServiceWorker();
}

function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").then((reg) => {
    reg.addEventListener("updatefound", () => {
      const next = reg.installing;
      next && next.addEventListener("statechange", () => {
        if (next.state === "installed" && navigator.serviceWorker.controller) {
          toast(`${t.updateReady}${t.reload}`, "info", () => location.reload());
        }
      });
    });
  }).catch(() => { /* no SW (WeChat, some webviews): drafts and outbox still work */ });
}

start();
