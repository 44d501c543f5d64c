// The office desk's frame (wide screens): the tabs between its pages and the page head.
import { session } from "../data.js";
import { h } from "./dom.js";

// (key, tab, who sees it): the city office's 督查计划 (四不两直) and a county team's own 自查计划;
// a tab's name may differ by role
const PAGES = [["plans", { city_admin: "督查计划", county_team: "自查计划" }, ["city_admin", "county_team"]], ["issues", "问题台账"], ["sites", "安置点"], ["submissions", "报送与核对"],
  ["assessment", "年度考核", ["city_admin"]], ["templates", "检查表"], ["users", "用户与部门", ["city_admin"]],
  ["awaiting", "待补交", ["city_admin"]], ["audit", "审计日志", ["city_admin"]]];

export function deskHead(here, title, ...actions) {
  const mine = PAGES.filter(([, , roles]) => !roles || roles.includes(session.me.role));
  return [
    h("nav.desk-tabs", { "aria-label": "办公页面" }, mine.map(([key, name]) =>
      h("a", { href: `#/desk/${key}`, class: key === here ? "on" : "", "aria-current": key === here ? "page" : null },
        typeof name === "string" ? name : name[session.me.role]))),
    h("header.desk-head", h("h1", title), h("div.desk-actions", ...actions)),
  ];
}

// a read that ends after the user moved to another page must not draw over that page
export const stillOn = (hash) => location.hash === hash;
