// The form page: checks as you type, Excel-like keys and paste in the tables, saves with
// conflict detection. Plain JavaScript, no build step, nothing loaded from elsewhere.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf"]').content;
  const form = document.getElementById("form");
  const status = document.getElementById("status");  // what the checks say
  const saved = document.getElementById("saved");  // where the form stands with its file

  const quoted = (name) => name.split("/").map(encodeURIComponent).join("/");

  function post(url, body) {
    return fetch(url, {method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}, body: JSON.stringify(body)});
  }

  function restoreButton() {
    const button = document.getElementById("restore");
    if (!button) return;
    button.addEventListener("click", async () => {
      const text = document.querySelector("textarea.earlier").value;
      const name = button.dataset.name;
      const response = await post("/api/save/" + quoted(name), {text: text, version: button.dataset.version});
      if (response.ok) location.href = "/form/" + quoted(name);
      else alert("恢复失败：表单已被修改，请刷新后重试。");
    });
  }
  if (!form) { restoreButton(); return; }

  const name = form.dataset.name;
  const url = (kind) => "/api/" + kind + "/" + quoted(name);
  let version = form.dataset.version;
  let dirty = false;

  function edits() {
    const collected = {fields: {}, texts: {}, cells: {}};
    form.querySelectorAll("[data-field]").forEach((e) => { collected.fields[e.dataset.field] = e.value; });
    form.querySelectorAll("[data-text]").forEach((e) => { collected.texts[e.dataset.text] = e.value; });
    form.querySelectorAll("[data-cell]").forEach((e) => { collected.cells[e.dataset.cell] = e.value; });
    return collected;
  }

  function item(finding) {
    const li = document.createElement("li");
    li.className = finding.level;
    li.dataset.code = finding.code;
    const head = document.createElement("b");
    head.textContent = finding.code + " [" + finding.label + "] ";
    li.append(head, finding.message);
    if (finding.hint) {
      const hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = "建议：" + finding.hint;
      li.append(document.createElement("br"), hint);
    }
    if (finding.acknowledged) {
      li.classList.add("acknowledged");
      const reason = document.createElement("span");
      reason.className = "hint";
      reason.textContent = "已核对：" + finding.acknowledged.reason;
      li.append(document.createElement("br"), reason);
    } else if (finding.path && !form.dataset.readonly) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "acknowledge";
      button.textContent = "核对无误，保留…";
      button.addEventListener("click", () => acknowledge(finding));
      li.append(" ", button);
    }
    return li;
  }

  function show(result) {
    form.querySelectorAll("ul.findings").forEach((ul) => ul.replaceChildren());
    form.querySelectorAll(".error, .warning, .info").forEach((e) => { if (e.matches("input, textarea, select")) { e.classList.remove("error", "warning", "info"); e.removeAttribute("title"); } });
    for (const finding of result.findings) {
      const [kind, key] = finding.target.split(/:(.*)/s);
      let list = form.querySelector('ul.findings[data-for="' + CSS.escape(finding.target) + '"]');
      if (kind === "cell" || kind === "row") {
        const table = key.split("/")[0];
        list = form.querySelector('ul.findings[data-for-table="' + CSS.escape(table) + '"]');
        const input = kind === "cell" ? form.querySelector('[data-cell="' + CSS.escape(key) + '"]') : null;
        if (input) { input.classList.add(finding.level); input.title = finding.message; }
      }
      (list || form.querySelector('ul.findings[data-for=""]')).append(item(finding));
    }
    form.querySelectorAll("input.total").forEach((input) => { input.placeholder = result.computed[input.dataset.cell] || "自动"; });
    const blocked = result.blocking > 0;
    document.getElementById("publish").classList.toggle("blocked", blocked);
    status.textContent = blocked ? "有 " + result.blocking + " 个问题需要处理，暂不能发布" : "可以发布";
  }

  let timer = null, sequence = 0;
  function schedule() {
    dirty = true;
    saved.textContent = "未保存";
    clearTimeout(timer);
    timer = setTimeout(check, 120);
  }
  async function check() {
    const mine = ++sequence;
    const response = await post(url("check"), {edits: edits()});
    if (response.ok && mine === sequence) show(await response.json());
  }

  async function acknowledge(finding) {
    const reason = window.prompt("核对后仍保留「" + finding.code + "」的理由（会写入表单的“已核对”）：");
    if (!reason || !reason.trim()) return;
    const response = await post(url("acknowledge"), {edits: edits(), version: version, code: finding.code, path: finding.path, reason: reason.trim()});
    const result = await response.json();
    if (!response.ok) { saved.textContent = response.status === 409 ? "表单已被别人修改：请先保存，解决冲突后再核对" : "核对失败：" + (result.message || response.status); return; }
    version = result.version;
    dirty = false;
    saved.textContent = "已保存";
    check();
  }

  async function save(force) {
    const response = await post(url("save"), {edits: edits(), version: force || version});
    const result = await response.json();
    if (response.status === 409 && result.conflict) {
      document.getElementById("mine").value = result.mine;
      document.getElementById("theirs").value = result.theirs;
      document.getElementById("conflict").hidden = false;
      document.getElementById("conflict").dataset.version = result.version;
      saved.textContent = "保存冲突：请选择保留哪一份";
      return;
    }
    if (!response.ok) { saved.textContent = "保存失败：" + (result.message || response.status); return; }
    version = result.version;
    dirty = false;
    document.getElementById("conflict").hidden = true;
    saved.textContent = "已保存";
  }

  // Tables: Enter and the arrow keys move like a spreadsheet; a pasted block fills the cells it covers.
  function cellAt(input, dRow, dCol) {
    const cell = input.closest("td"), row = cell.parentElement;
    const column = Array.from(row.querySelectorAll("td")).indexOf(cell);
    const rows = Array.from(row.closest("tbody").rows);
    const target = rows[rows.indexOf(row) + dRow];
    const cells = target ? Array.from(target.querySelectorAll("td")) : [];
    const next = cells[column + dCol];
    return next ? next.querySelector("input") : null;
  }
  function move(input, dRow, dCol) {
    const next = cellAt(input, dRow, dCol);
    if (next) { next.focus(); next.select(); }
  }
  form.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!input.matches("[data-cell]")) return;
    const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    const atEnd = input.selectionStart === input.value.length;
    if (event.key === "Enter" || event.key === "ArrowDown") { move(input, 1, 0); event.preventDefault(); }
    else if (event.key === "ArrowUp") { move(input, -1, 0); event.preventDefault(); }
    else if (event.key === "ArrowLeft" && atStart) { move(input, 0, -1); event.preventDefault(); }
    else if (event.key === "ArrowRight" && atEnd) { move(input, 0, 1); event.preventDefault(); }
  });
  form.addEventListener("paste", (event) => {
    const input = event.target;
    const text = (event.clipboardData || window.clipboardData).getData("text");
    if (!input.matches("[data-cell]") || !/[\t\n]/.test(text.trim())) return;
    event.preventDefault();
    text.replace(/\r/g, "").replace(/\n$/, "").split("\n").forEach((line, r) => {
      line.split("\t").forEach((value, c) => {
        const target = r === 0 && c === 0 ? input : cellAt(input, r, c);
        if (target) target.value = value.trim();
      });
    });
    schedule();
  });

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  if (form.dataset.readonly) form.querySelectorAll("input, textarea, select").forEach((e) => { e.readOnly = true; e.disabled = e.tagName === "SELECT"; });
  const saveButton = document.getElementById("save");
  if (saveButton) saveButton.addEventListener("click", () => save());
  document.getElementById("keep-mine").addEventListener("click", () => save(document.getElementById("conflict").dataset.version));
  document.getElementById("take-theirs").addEventListener("click", () => { dirty = false; location.reload(); });
  window.addEventListener("beforeunload", (event) => { if (dirty) event.preventDefault(); });
  document.addEventListener("keydown", (event) => { if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); if (saveButton) save(); } });
  check();
})();
