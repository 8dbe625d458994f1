// The live duty desk: new incidents and escalations arrive over server-sent events and join the list in place.
"use strict";
(() => {
  const list = document.getElementById("incidents");
  const live = document.getElementById("live");
  const empty = document.getElementById("empty");
  if (!list || !live || !window.EventSource) { return; }

  const say = (state, text) => { live.dataset.state = state; live.textContent = text; };

  const place = (row) => {
    // Open incidents stay above acknowledged ones; a new one goes to the top of its group.
    if (row.dataset.status === "open") { list.prepend(row); return; }
    const firstDone = list.querySelector("li[data-status='acknowledged']");
    if (firstDone) { list.insertBefore(row, firstDone); } else { list.append(row); }
  };

  const upsert = (data) => {
    const holder = document.createElement("template");
    holder.innerHTML = data.html.trim();
    const row = holder.content.firstElementChild;
    if (!row) { return; }
    const old = document.getElementById(row.id);
    if (old && old.dataset.version === row.dataset.version) { return; }
    if (old && old.contains(document.activeElement)) {
      // Someone is typing a resolution in this row: keep their words, refresh only the state.
      old.dataset.status = row.dataset.status;
      old.dataset.level = row.dataset.level;
      return;
    }
    if (old) { old.replaceWith(row); if (row.dataset.status !== old.dataset.status) { place(row); } }
    else { place(row); row.classList.add("fresh"); }
    if (empty) { empty.hidden = true; }
  };

  const source = new EventSource(list.dataset.events);
  source.addEventListener("open", () => say("live", "实时更新中"));
  source.addEventListener("error", () => say("lost", "连接中断，正在重连…"));
  source.addEventListener("trouble", () => say("lost", "值班服务暂时无法访问，正在重试…"));
  source.addEventListener("back", () => say("live", "实时更新中"));
  source.addEventListener("refused", () => {
    source.close();
    say("lost", "登录已过期，请刷新页面重新登录");
  });
  source.addEventListener("incident", (event) => upsert(JSON.parse(event.data)));
  source.addEventListener("resolved", (event) => {
    const row = document.getElementById(`incident-${JSON.parse(event.data).id}`);
    if (row) { row.remove(); }
    if (empty && !list.querySelector("li")) { empty.hidden = false; }
  });
})();
