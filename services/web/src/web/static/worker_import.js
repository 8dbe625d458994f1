// Follows an import job: polls the page's own progress URL and moves the bar until the job is finished.
"use strict";
(() => {
  const box = document.getElementById("import-job");
  if (!box) return;
  const url = box.dataset.progressUrl;
  const bar = document.getElementById("import-progress");
  const words = { queued: "排队中", running: "导入中", done: "已完成", failed: "失败" };
  const finished = (status) => status === "done" || status === "failed";
  const set = (name, value) => box.querySelectorAll(`[data-field="${name}"]`).forEach((el) => { el.textContent = value; });

  function show(job) {
    box.dataset.status = job.status;
    const badge = box.querySelector('[data-field="status"]');
    badge.textContent = words[job.status] || job.status;
    badge.className = "badge " + (job.status === "done" ? "ok" : job.status === "failed" ? "bad" : "warn");
    ["processed", "imported", "duplicates", "errors_count"].forEach((k) => set(k, job[k]));
    set("total_rows", job.total_rows == null ? "?" : job.total_rows);
    if (job.total_rows) { bar.max = job.total_rows; bar.value = Math.min(job.processed, job.total_rows); }
    if (finished(job.status)) {
      if (job.total_rows) bar.value = bar.max;
      box.querySelector(".when-running").hidden = true;
      box.querySelector(".when-finished").hidden = false;
      box.querySelector(".when-errors").hidden = !job.errors_count;
    }
  }

  async function poll(delay) {
    try {
      const answer = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (answer.ok) {
        const job = await answer.json();
        show(job);
        if (finished(job.status)) return;
        delay = 1000;
      } else {
        delay = Math.min(delay * 2, 15000);
      }
    } catch (_) {
      delay = Math.min(delay * 2, 15000);
    }
    window.setTimeout(() => poll(delay), delay);
  }

  if (!finished(box.dataset.status)) poll(500);
})();
