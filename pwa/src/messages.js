// Every piece of Chinese UI text, in one place.
export const t = {
  appName: "督查",
  appTitle: "易地搬迁安置点督查",
  login: "登录", logout: "退出", username: "用户名", password: "密码",
  loginFailed: "登录失败", needOnlineLogin: "首次使用须联网登录一次，之后可离线工作。",
  offline: "网络不可用，联网后自动重试", serverUnreachable: "服务器暂时无法连接，稍后自动重试", serverError: "服务器出错", notAcknowledged: "服务器未确认收到，将重试",
  photoLost: "照片数据已丢失，请重新拍摄",
  uploading: (pct, sent, size) => `上传中 ${pct}%（${sent} / ${size}）`, waiting: "等待上传",
  otherUser: "这是另一个账号留下的数据：请该账号登录后同步",
  confirmLogout: (n) => `还有 ${n} 项未同步：退出后须用同一账号重新登录才能上传。`,
  online: "在线", offlineBadge: "离线",
  syncNow: "立即同步", syncing: "同步中…", pending: (n) => `待同步 ${n} 项`, allSynced: "已全部同步",
  lastSync: (s) => `${s} 已同步`, neverSynced: "尚未同步", syncErrors: (n) => `${n} 项同步出错`,
  home: "首页", visits: "督查", issues: "问题", sync: "同步",
  startVisit: "开始督查", inspectorsOnly: "只有市级督查人员和县级专班可以开展督查。安置点和部门请在“问题”中查看并整改。", startSelfCheck: "开始县级自查", chooseSite: "选择安置点", searchSite: "搜索安置点、县区或乡镇",
  chooseTemplates: "选择检查表", startWithTemplates: "开始检查", pickOne: "请至少选择一张检查表",
  drafts: "未提交的督查", queued: "已提交，待上传", synced: "已上传", noDrafts: "暂无未提交的督查",
  returned: "退回修改", returnedCount: (n) => `${n} 份退回修改`,
  returnedHint: "服务器未接受这份督查记录，什么也没有保存。请逐项修改后再次提交：编号不变，已上传的照片会自动关联，不会重复。",
  returnedProblems: (n) => `服务器指出 ${n} 处问题（点击定位到该项）：`, mend: "去修改",
  syncOfflineTapped: "当前离线：联网后会自动同步，无需操作。",
  recentVisits: "最近提交", people: (n) => `${n} 人`,
  arrival: "到达现场", arrive: "到达现场（记录时间和位置）", locating: "正在定位…",
  arrivedAt: (time, dist) => `已于 ${time} 到达，距安置点 ${dist}`,
  arrivedManually: (time, reason) => `已于 ${time} 手动登记到达（未定位：${reason}）`,
  manualArrival: "无法定位时：手动登记到达", manualReason: "未定位的原因（必填）", manualArrive: "手动登记到达现场",
  arrivedByPhoto: (time, dist) => `已于 ${time} 到达（按照片EXIF位置），距安置点 ${dist}`,
  photoArrive: "用现场照片的位置登记到达", photoArriveHint: "或拍一张现场照片：相机开了定位时，用照片里的位置和时间登记到达。",
  photoArrivalStale: (when) => `这张照片拍摄于 ${when}，不是刚在现场拍的，不能用来登记到达。`,
  photoArrivalFailed: { no_gps: "这张照片没有位置信息（相机未开定位，或经转发后被去除），请改为手动登记。",
    no_time: "这张照片没有拍摄时间，不能用来登记到达。", future: "照片的拍摄时间晚于手机时间，请检查相机或手机的时间。" },
  manualReasonNeeded: "请填写未定位的原因",
  farWarning: (dist) => `当前位置距安置点 ${dist}，超出 500 米范围。可继续检查，系统会标记此情况。`,
  locationFailed: { denied: "未获准使用定位，请在浏览器设置中允许定位后重试", unavailable: "暂时无法定位，请到空旷处重试", unsupported: "此浏览器不支持定位" },
  retry: "重试",
  check: { pass: "符合", fail: "不符合", na: "不适用" },
  required: "必填", notApplicable: "本安置点不适用", willRaise: "不符合：提交后生成问题",
  photoOnFail: "不符合时须拍照取证",
  findingPreview: "将生成的问题：",
  findingNote: "问题说明（在哪里、什么情况）", findingNoteHint: "如：3号楼2单元楼道堆放杂物",
  severity: "严重程度", severities: { minor: "一般", major: "较重", critical: "严重" }, severityFixed: "（本项固定）",
  issueNumber: "问题编号", requirement: "检查要求", photosPending: (n) => `照片待上传（${n} 张）`,
  refindings: "复查仍未整改", refoundAt: (s) => `${s} 复查发现`,
  takePhoto: "拍照", addPhoto: "拍照取证", processingPhoto: "正在处理照片…", photoFailed: "照片处理失败",
  photoOld: (when) => `这张照片拍摄于 ${when}，不是在现场刚拍的，系统会标记此照片。`, photoOldTag: "拍摄时间早", photoFarTag: (d) => `距安置点 ${d}`,
  reviewFlagged: (n) => `${n} 张照片将被标记（可返回重拍）`,
  photoFar: (d) => `照片位置距安置点 ${d}（超出 500 米），系统会标记。`,
  photoDistance: (d) => `距安置点 ${d}`, photoNoPosition: "无位置信息",
  notes: "督查备注", submit: "提交督查", submitOffline: "提交（联网后自动上传）",
  submitProblems: "还不能提交：", deleteDraft: "删除草稿", confirmDelete: "删除后无法恢复这份未提交的督查及其照片。",
  needArrival: "请先点“到达现场”记录到达时间和位置",
  progress: (done, all) => `已答 ${done}/${all}`, failedCount: (n) => `不符合 ${n}`, toc: "目录", nextTodo: "下一个待办",
  allDone: "全部已答", sectionAllPass: "本节全部符合",
  sectionPassed: (n) => (n ? `本节 ${n} 项未答的检查项已设为符合，可逐项修改` : "本节没有未答的检查项"),
  review: "提交前核对", reviewSummary: (done, all, issues, photos) => `已答 ${done}/${all} 项 · 将生成问题 ${issues} 条 · 照片 ${photos} 张`,
  reviewMissing: "还不能提交（点击前往）：", reviewIssues: "将生成的问题", reviewNoIssues: "本次督查没有不符合项，不生成问题。",
  reviewPhotos: (n) => (n ? `照片 ${n} 张` : "无照片"), confirmSubmit: "确认提交", backToEdit: "返回修改",
  requiredMissing: (text) => `「${text}」必须填写`, photoMissing: (text) => `「${text}」不符合，须拍照取证`,
  naReason: "不适用的理由（必填）", naReasonHint: "如：本安置点为平房，无楼道", naPhotoText: "选不适用须拍照说明",
  atMost: (text, other, limit) => `「${text}」不能大于「${other}」（${limit}）`,
  naReasonMissing: (text) => `「${text}」选“不适用”须写明理由`, naPhotoMissing: (text) => `「${text}」选“不适用”须拍照说明`,
  populationUnknown: "本安置点尚未登记搬迁人口：按人口判断的检查项（车间工坊、第一书记和工作队等）都按适用处理，请如实填写，并请县级专班补登人口。",
  submitted: "已提交。联网时会自动上传，可在“同步”中查看。",
  readOnly: "此督查已提交，不能再修改。",
  issueInbox: "待办问题", toRectify: "待整改", toVerify: "待核查", escalated: "已报市办", allIssues: "全部问题",
  noIssues: "暂无问题", deadline: "整改期限", overdue: "已逾期", found: "发现时间", state: "状态",
  rectify: "提交整改", measures: "整改措施", responsible: "责任人", completedOn: "完成日期",
  rectifyQueued: "整改已保存，联网后自动上传", rectifyPending: "有整改待上传",
  verify: "核查", accept: "通过，销号", reject: "退回整改", comment: "核查意见", noPhotoReason: "无整改后照片的理由",
  verifyOnline: "核查销号需要联网，请联网后再试", verified: "已核查",
  rounds: "整改记录", round: (n) => `第 ${n} 轮`,
  cachedAt: (s) => `离线数据，更新于 ${s}`,
  storage: "本机存储", usage: (used, quota) => `已用 ${used}，可用 ${quota}`,
  install: "安装到桌面",
  installWhy: "安装后从桌面图标直接打开，没有浏览器地址栏；浏览器会为它长期保存数据，离线填写的督查和照片不会因空间紧张被清除。",
  persisted: "已申请持久存储：浏览器不会自动清除", notPersisted: "未获持久存储：空间紧张时浏览器可能清除数据，请及时同步",
  iosWarning: "您在 iPhone 浏览器中直接使用：未同步的数据在几天不用后可能被系统清除。请尽快联网同步，或“添加到主屏幕”后使用。",
  noServiceWorker: "此浏览器不支持离线缓存应用（如微信内置浏览器）：请联网打开；草稿和待上传数据仍会保存在本机。",
  exportData: "导出未同步数据（备份文件）", exportHint: "同步一直失败时，可导出文件交给管理员导入。",
  outboxItem: { photo: "照片", inspection: "督查记录", rectification: "整改" },
  attempts: (n) => `已尝试 ${n} 次`, error: "错误",
  sessionExpired: "登录已过期，请重新登录后继续同步（数据不会丢失）",
  heicNoPreview: "HEIC 照片，无法预览", heicSent: (size, estimate) => `这张 HEIC 照片本机无法转换，将原样上传（${size}，${estimate}），由服务器转换。嫌慢可删除后在相机设置中改为“兼容性最佳”重拍。`,
  uploadEstimate: (rate, seconds) => rate ? `按最近网速约 ${seconds}` : `慢网（4 KB/s）约 ${seconds}`,
  updateReady: "新版本已就绪，", reload: "点此刷新",
  back: "返回", save: "保存", cancel: "取消", loading: "加载中…",
  roles: { city_admin: "市级管理员", city_inspector: "市级督查员", county_team: "县级专班", site_manager: "安置点负责人", department: "行业部门" },
};

// "2024年11月2日 10:31": a moment that may be years ago
export function formatDay(at) {
  const d = new Date(at);
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日 ${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

export function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, "0");
  const time = `${p(d.getHours())}:${p(d.getMinutes())}`;
  return d.toDateString() === new Date().toDateString() ? `今天 ${time}` : `${d.getMonth() + 1}月${d.getDate()}日 ${time}`;
}

export function formatBytes(n) {
  if (n == null) return "?";
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MB`;
  return `${Math.round(n / 1024)} KB`;
}
