// One site added or edited at a desk (the city admin): the office's columns as a form. A new site
// needs its county, name and position; an edit sends only what changed (a position with the
// coordinate system it was read in: the server converts it to WGS-84).
import { api, NetworkError } from "../api.js";
import { h, fill, toast } from "./dom.js";

const COUNTS = [["registered_people", "建档立卡搬迁人口"], ["other_people", "同步搬迁人口"], ["households", "户数"], ["building_count", "楼栋数"]];
const FLAGS = [["has_workshop", "有车间工坊"], ["has_first_secretary", "有第一书记"], ["has_greenhouses", "配套产业（大棚）"], ["has_lift", "有电梯"],
  ["has_piped_gas", "有管道燃气"]];
const SYSTEMS = [["wgs84", "WGS-84（GPS）"], ["gcj02", "GCJ-02（高德、腾讯）"], ["bd09", "BD-09（百度）"]];

// ``site``: the site to edit, or null for a new one; ``counties``: [{id, name}]; ``saved``: called after a write
export function siteForm(site, counties, saved) {
  const field = (label, el) => h("label.filter", label, el);
  const text = (value, max, label) => h("input", { type: "text", value: value || "", maxlength: String(max), "aria-label": label });
  const f = {
    county_id: site ? null : h("select", { "aria-label": "县区" }, h("option", { value: "" }, "（请选择）"),
      counties.map((c) => h("option", { value: String(c.id) }, c.name))),
    township: text(site?.township, 64, "乡镇"),
    name: text(site?.name, 128, "安置点名称"),
    address: text(site?.address, 256, "地址"),
    lat: h("input", { type: "number", step: "0.000001", min: "-90", max: "90", value: site ? String(site.lat) : "", "aria-label": "纬度" }),
    lon: h("input", { type: "number", step: "0.000001", min: "-180", max: "180", value: site ? String(site.lon) : "", "aria-label": "经度" }),
    coord_system: h("select", { "aria-label": "坐标系" }, SYSTEMS.map(([v, name]) => h("option", { value: v }, name))),
  };
  for (const [key, label] of COUNTS) f[key] = h("input", { type: "number", min: "0", step: "1", value: String(site ? site[key] : 0), "aria-label": label });
  for (const [key, label] of FLAGS) f[key] = h("input", { type: "checkbox", checked: site ? site[key] : false, "aria-label": label });
  const message = h("p.bulk-message", { role: "status" });

  const body = () => {
    const out = {};
    for (const key of ["township", "name", "address"]) out[key] = f[key].value.trim();
    for (const [key] of COUNTS) out[key] = Number(f[key].value || 0);
    for (const [key] of FLAGS) out[key] = f[key].checked;
    if (!site) {
      out.county_id = Number(f.county_id.value) || null;
      Object.assign(out, { lat: Number(f.lat.value), lon: Number(f.lon.value), coord_system: f.coord_system.value });
      return out;
    }
    const changed = Object.fromEntries(Object.entries(out).filter(([k, v]) => v !== site[k]));
    // a position shown as stored (WGS-84) and not touched is not sent; a new one goes with its system
    if (Number(f.lat.value) !== site.lat || Number(f.lon.value) !== site.lon || f.coord_system.value !== "wgs84") {
      Object.assign(changed, { lat: Number(f.lat.value), lon: Number(f.lon.value), coord_system: f.coord_system.value });
    }
    return changed;
  };
  const save = h("button.primary", { type: "button", onclick: async () => {
    const data = body();
    if (!site && !data.county_id) return fill(message, h("span.warn", "请选择县区"));
    if (!data.name && (!site || "name" in data)) return fill(message, h("span.warn", "请填写安置点名称"));
    if ((!site || "lat" in data) && (!f.lat.value || !f.lon.value)) return fill(message, h("span.warn", "请填写纬度和经度"));
    if (site && !Object.keys(data).length) return fill(message, h("span.warn", "没有改动"));
    save.disabled = true;
    try {
      const out = site ? await api.patch(`/api/sites/${site.id}`, data) : await api.post("/api/sites", data);
      toast(site ? `已保存：${out.name}` : `已新增安置点：${out.name}`);
      saved(out);
    } catch (err) {
      save.disabled = false;
      fill(message, h("span.warn", err instanceof NetworkError ? "需要联网" : err.message));
    }
  } }, site ? "保存修改" : "新增");
  const close = h("button", { type: "button", onclick: () => saved(null) }, "取消");

  return h("section.card.site-form", h("h2", site ? `编辑：${site.name}` : "新增安置点"),
    h("div.bulk-row", f.county_id ? field("县区", f.county_id) : field("县区", h("b", site.county_name)),
      field("乡镇", f.township), field("安置点名称", f.name), field("地址", f.address)),
    h("div.bulk-row", field("纬度", f.lat), field("经度", f.lon), field("坐标系", f.coord_system),
      h("small.muted", site ? "已存为 WGS-84；按其他坐标系填写新位置时请选择对应坐标系" : "从高德、腾讯地图取的坐标选 GCJ-02，百度地图选 BD-09")),
    h("div.bulk-row", COUNTS.map(([key, label]) => field(label, f[key]))),
    h("div.bulk-row", FLAGS.map(([key, label]) => h("label.filter.check", f[key], label))),
    h("div.bulk-row", save, close), message);
}
