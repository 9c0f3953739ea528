// UI text in Chinese and English. The language is the user's choice (kept in localStorage),
// else the console's setting ("auto": the browser's language).

const TEXT = {
  zh: {
    sign_in: "登录", sign_out: "退出", username: "用户名", password: "密码",
    bad_credentials: "用户名或密码不正确", rate_limited: "尝试次数过多，请稍后再试",
    signin_hint: "调度员、商户和买家请使用平台分配的账号登录。",
    no_console_role: "此账号没有控制台页面（集成账号仅用于 API）。",
    map: "实时地图", plans: "路线规划", devices: "设备状态", replay: "行程回放",
    shipments: "货件", my_orders: "我的订单",
    vehicles: "车辆", vehicle: "车辆", device: "设备", speed: "速度", last_seen: "最后上报",
    route: "路线", next_stops: "下一站", eta: "预计送达", no_route: "无路线",
    warehouses: "仓库", all_depots: "全部仓库", geofences: "围栏", routes_today: "今日路线", stale: "信号陈旧",
    online: "在线", offline: "离线", live: "实时", reconnecting: "正在重新连接…", select_vehicle: "点击车辆查看详情",
    depot: "仓库", date: "日期", time_limit: "求解时限（秒）", ready_shipments: "待规划货件", run_optimizer: "运行优化",
    running: "求解中", cancel: "取消", approve: "批准", approved: "已批准",
    cost: "成本", distance: "距离", duration: "时长", vehicles_used: "用车数", jobs: "任务",
    unassigned: "未分配", status: "状态", created: "创建时间", plan: "方案",
    compare_plans: "方案对比", elapsed: "用时", best_cost: "当前最优成本",
    none: "无", battery: "电量", kind: "类型", format: "格式", dead_letters: "死信",
    dead_letters_by_reason: "死信（按原因）", replay_letters: "重放", replay_done: "已重放",
    admin_only: "仅管理员可重放", stored: "已入库", still_rejected: "仍被拒绝",
    late_evidence: "迟到的依据", more_evidence: "另有 {n} 条相同依据", late_evidence_note: "已记录，但状态已在此之后，未改变状态", reason: "原因", count: "数量",
    trip: "行程", trips: "行程", stops: "停靠点", time: "时间", from: "从", to: "到",
    speed_over_time: "速度随时间变化", fixes: "个定位点", load: "加载", no_track: "该时段没有轨迹",
    search: "搜索", all_statuses: "全部状态", problems_first: "问题优先", problem: "问题",
    order: "订单", buyer: "买家", address: "地址", shipment: "货件", timeline: "跟踪时间线",
    evidence: "依据", position: "车辆位置", as_of: "定位时间", window: "送达时段",
    no_shipments: "没有货件", back: "返回", public_title: "包裹跟踪",
    public_note: "公开链接只显示状态、预计送达时间和大致位置。", make_public_link: "生成公开跟踪链接",
    link_expired: "链接不存在或已过期", coarse_position: "大致位置", loading: "加载中…",
    planned_arrival: "计划到达", method_plan: "按计划", method_live: "实时估算",
    seq: "序号", arrival: "到达", departure: "离开", stay: "停留",
    late: "延误", failed: "失败", exception: "异常",
    "st.created": "已创建", "st.packed": "已打包", "st.loaded": "已装车", "st.in_transit": "运输中",
    "st.out_for_delivery": "派送中", "st.arriving": "即将送达", "st.delivered": "已送达",
    "st.delivery_failed": "派送失败", "st.returned": "已退回", "st.exception": "异常",
    "st.cancelled": "已取消",
    "ps.queued": "排队中", "ps.running": "求解中", "ps.succeeded": "已完成", "ps.failed": "失败",
    "ps.cancelled": "已取消", "ps.approved": "已批准",
    "ek.epcis_event": "RFID 扫描", "ek.geofence": "地理围栏", "ek.route_plan": "路线计划",
    "ek.proof_of_delivery": "签收凭证", "ek.manual": "人工标记",
    "kind.gps_unit": "车载 GPS", "kind.phone": "司机手机", "kind.rfid_reader": "RFID 读写器",
  },
  en: {
    sign_in: "Sign in", sign_out: "Sign out", username: "Username", password: "Password",
    bad_credentials: "Wrong username or password", rate_limited: "Too many attempts; try again later",
    signin_hint: "Dispatchers, sellers and buyers sign in with the account the platform gave them.",
    no_console_role: "This account has no console pages (integration accounts are for the API).",
    map: "Live map", plans: "Route planning", devices: "Device health", replay: "Trip replay",
    shipments: "Shipments", my_orders: "My orders",
    vehicles: "Vehicles", vehicle: "Vehicle", device: "Device", speed: "Speed", last_seen: "Last seen",
    route: "Route", next_stops: "Next stops", eta: "ETA", no_route: "No route",
    warehouses: "Warehouses", all_depots: "All depots", geofences: "Geofences", routes_today: "Today's routes", stale: "stale",
    online: "online", offline: "offline", live: "live", reconnecting: "reconnecting…", select_vehicle: "Click a vehicle for details",
    depot: "Depot", date: "Date", time_limit: "Time limit (s)", ready_shipments: "Ready shipments", run_optimizer: "Run optimizer",
    running: "Solving", cancel: "Cancel", approve: "Approve", approved: "Approved",
    cost: "Cost", distance: "Distance", duration: "Duration", vehicles_used: "Vehicles", jobs: "Jobs",
    unassigned: "Unassigned", status: "Status", created: "Created", plan: "Plan",
    compare_plans: "Compare plans", elapsed: "Elapsed", best_cost: "Best cost so far",
    none: "none", battery: "Battery", kind: "Kind", format: "Format", dead_letters: "Dead letters",
    dead_letters_by_reason: "Dead letters by reason", replay_letters: "Replay", replay_done: "Replayed",
    admin_only: "Only admins replay", stored: "stored", still_rejected: "still rejected",
    late_evidence: "late evidence", more_evidence: "and {n} more of the same", late_evidence_note: "Kept in the timeline; the status had already moved past it", reason: "Reason", count: "Count",
    trip: "Trip", trips: "Trips", stops: "Stops", time: "Time", from: "From", to: "To",
    speed_over_time: "Speed over time", fixes: "fixes", load: "Load", no_track: "No track in this range",
    search: "Search", all_statuses: "All statuses", problems_first: "Problems first", problem: "Problem",
    order: "Order", buyer: "Buyer", address: "Address", shipment: "Shipment", timeline: "Tracking timeline",
    evidence: "Evidence", position: "Van position", as_of: "as of", window: "Delivery window",
    no_shipments: "No shipments", back: "Back", public_title: "Parcel tracking",
    public_note: "A public link shows the status, the ETA and a coarse position only.",
    make_public_link: "Make a public tracking link",
    link_expired: "Unknown or expired link", coarse_position: "Coarse position", loading: "Loading…",
    planned_arrival: "Planned arrival", method_plan: "from the plan", method_live: "live estimate",
    seq: "#", arrival: "Arrival", departure: "Departure", stay: "Stay",
    late: "late", failed: "failed", exception: "exception",
    "st.created": "created", "st.packed": "packed", "st.loaded": "loaded", "st.in_transit": "in transit",
    "st.out_for_delivery": "out for delivery", "st.arriving": "arriving", "st.delivered": "delivered",
    "st.delivery_failed": "delivery failed", "st.returned": "returned", "st.exception": "exception",
    "st.cancelled": "cancelled",
    "ps.queued": "queued", "ps.running": "running", "ps.succeeded": "solved", "ps.failed": "failed",
    "ps.cancelled": "cancelled", "ps.approved": "approved",
    "ek.epcis_event": "RFID read", "ek.geofence": "geofence", "ek.route_plan": "route plan",
    "ek.proof_of_delivery": "proof of delivery", "ek.manual": "marked by staff",
    "kind.gps_unit": "GPS unit", "kind.phone": "driver's phone", "kind.rfid_reader": "RFID reader",
  },
};

let lang = "zh";

export function initLanguage(configured) {
  const chosen = localStorage.getItem("waybill.lang");
  if (chosen === "zh" || chosen === "en") lang = chosen;
  else if (configured === "en" || configured === "zh") lang = configured;
  else lang = (navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en";
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  return lang;
}

export function language() { return lang; }

export function setLanguage(next) {
  localStorage.setItem("waybill.lang", next);
  initLanguage(next);
}

export function t(key) {
  return TEXT[lang][key] ?? TEXT.en[key] ?? key;
}

/** Fill every element with data-i18n="key" under `root`. */
export function translate(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
}

/** The language switch button: shows the other language, swaps and re-renders. */
export function bindSwitch(button, rerender) {
  const label = () => { button.textContent = lang === "zh" ? "EN" : "中文"; };
  label();
  button.addEventListener("click", () => {
    setLanguage(lang === "zh" ? "en" : "zh");
    label();
    translate();
    rerender();
  });
}
