// 待补交督查记录 at a desk, for the city admin: visits whose photos reached the server while the visit
// itself did not (refused for its content and not yet sent again, or still on the inspector's phone),
// with whose they are, where, since when, and until when they are kept (server/photos/awaiting.py).
import { api, NetworkError } from "../api.js";
import { formatTime, formatDay } from "../messages.js";
import { h, mount, fill } from "./dom.js";
import { deskHead, stillOn } from "./desk.js";

export async function awaitingDesk() {
  const hash = location.hash;
  const body = h("section.card", h("p.muted", "正在读取…"));
  mount(h("div.desk-page", ...deskHead("awaiting", "待补交督查记录"),
    h("p.muted", "照片已上传、督查记录尚未被服务器接受（被退回修改后未再提交，或仍在督查人员手机上）。照片按督查记录编号保留，" +
      "记录补交后自动关联；保留期满仍未补交的，照片将被清理。请联系督查人员在手机上修改并重新提交，或导出未同步数据后导入。"), body));
  let rows;
  try {
    rows = await api.get("/api/photos/awaiting");
  } catch (err) {
    return fill(body, h("p.warn", err instanceof NetworkError ? "需要联网" : err.message));
  }
  if (!stillOn(hash)) return;
  fill(body, rows.length ? h("table.desk.awaiting",
    h("thead", h("tr", ...["督查人员", "安置点", "照片", "首张上传", "最近上传", "保留至", "督查记录编号"].map((x) => h("th", x)))),
    h("tbody", rows.map((r) => h("tr", { "data-uuid": r.inspection_uuid },
      h("td", `${r.inspector_name}（${r.inspector}）`), h("td", r.site_name || "—"), h("td.num", `${r.photos} 张`),
      h("td", formatTime(r.first_at)), h("td", formatTime(r.last_at)), h("td", formatDay(r.keep_until)),
      h("td", h("small", r.inspection_uuid))))))
    : h("p.muted", "没有待补交的督查记录：所有已上传的照片都已关联到督查记录。"));
}
