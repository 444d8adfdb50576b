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
      if (response.ok) location.href = "/form/" + quoted(name) + "?restored=" + encodeURIComponent(button.dataset.saved);
      else alert("恢复失败：表单在此期间已被修改，请刷新后重试。");
    });
  }
  if (!form) { restoreButton(); return; }

  const name = form.dataset.name;
  const url = (kind) => "/api/" + kind + "/" + quoted(name);
  let version = form.dataset.version;
  let dirty = false;

  // The page's inputs by the kind of value they edit: the edits' keys, and the data attribute
  // (data-field, data-text, data-cell) that names what each input edits.
  const EDITED = {fields: "field", texts: "text", cells: "cell"};
  const inputOf = (attribute, key) => form.querySelector("[data-" + attribute + '="' + CSS.escape(key) + '"]');
  function eachInput(visit) {
    for (const [kind, attribute] of Object.entries(EDITED)) form.querySelectorAll("[data-" + attribute + "]").forEach((e) => visit(kind, e.dataset[attribute], e));
  }

  function edits() {
    const collected = {fields: {}, texts: {}, cells: {}};
    eachInput((kind, key, e) => { collected[kind][key] = e.value; });
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
    } else if (finding.entry !== undefined && finding.entry >= 0 && !form.dataset.readonly) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "acknowledge";
      button.textContent = "删去这条核对";
      button.addEventListener("click", () => changeAcknowledgement(finding.entry, "remove"));
      li.append(" ", button);
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

  // A finding's list beside what it is about: under a text or field, or in a row of the table
  // right under the cells' row; anything else in the list at the top.
  function listFor(finding) {
    const [kind, key] = finding.target.split(/:(.*)/s);
    if (kind !== "cell" && kind !== "row") return form.querySelector('ul.findings[data-for="' + CSS.escape(finding.target) + '"]');
    const input = kind === "cell" ? inputOf("cell", key) : form.querySelector('[data-cell^="' + CSS.escape(key + "/") + '"]');
    if (!input) return null;
    const row = input.closest("tr");
    let next = row.nextElementSibling;
    if (!next || !next.classList.contains("cell-findings")) {
      next = document.createElement("tr");
      next.className = "cell-findings";
      const cell = document.createElement("td");
      cell.colSpan = 99;
      const list = document.createElement("ul");
      list.className = "findings";
      list.dataset.forTable = key.split("/")[0];
      cell.append(list);
      next.append(cell);
      row.after(next);
    }
    return next.querySelector("ul");
  }

  function elementOf(finding) {
    const [kind, key] = finding.target.split(/:(.*)/s);
    if (Object.values(EDITED).includes(kind)) return inputOf(kind, key);
    if (kind === "row") return form.querySelector('[data-cell^="' + CSS.escape(key + "/") + '"]');
    return null;
  }

  function panel(findings) {
    const open = findings.filter((f) => !f.acknowledged);
    const counts = {error: 0, warning: 0, info: 0};
    open.forEach((f) => { counts[f.level]++; });
    document.getElementById("problems-count").textContent = open.length
      ? "问题 " + open.length + " 个：" + ["error", "warning", "info"].filter((l) => counts[l]).map((l) => ({error: "错误", warning: "警告", info: "提示"}[l]) + " " + counts[l]).join("、")
      : "没有需要处理的问题";
    const list = document.getElementById("problems-list");
    list.replaceChildren(...open.map((finding) => {
      const li = document.createElement("li");
      li.className = finding.level;
      const link = document.createElement("a");
      link.href = "#";
      link.textContent = finding.code + "〔" + finding.label + "〕" + finding.message;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const target = elementOf(finding) || (listFor(finding) || form.querySelector('ul.findings[data-for=""]'));
        target.scrollIntoView({block: "center"});
        if (target.focus) target.focus();
      });
      li.append(link);
      return li;
    }));
  }

  // A text still to be written is progress to make, not an error to fix: it is counted and marked
  // 待填写 (it still keeps the form from being published).
  const TO_FILL = "E052";
  function progress(findings) {
    const areas = Array.from(form.querySelectorAll("[data-text]"));
    const empty = new Set(findings.filter((f) => f.code === TO_FILL).map((f) => f.target));
    areas.forEach((area) => { area.classList.toggle("todo", empty.has("text:" + area.dataset.text)); area.placeholder = empty.has("text:" + area.dataset.text) ? "待填写" : ""; });
    const left = areas.filter((a) => a.classList.contains("todo")).length;
    const written = areas.filter((a) => !a.classList.contains("todo") && a.value.trim()).length;  // (parts that may stay empty count once written)
    document.getElementById("progress").textContent = left ? "文字已填写 " + written + " / " + (written + left) + " 项，还需填写 " + left + " 项" : "各节文字都已填写";
    return findings.filter((f) => f.code !== TO_FILL || !empty.has(f.target));
  }

  function show(result) {
    result.findings = progress(result.findings);
    form.querySelectorAll("ul.findings").forEach((ul) => ul.replaceChildren());
    form.querySelectorAll("tr.cell-findings").forEach((tr) => tr.remove());
    form.querySelectorAll(".error, .warning, .info").forEach((e) => { if (e.matches("input, textarea, select")) { e.classList.remove("error", "warning", "info"); e.removeAttribute("title"); } });
    for (const finding of result.findings) {
      const element = elementOf(finding);
      if (element && element.matches("[data-cell]") && finding.target.startsWith("cell:") && !finding.acknowledged) { element.classList.add(finding.level); element.title = finding.message; }
      (listFor(finding) || form.querySelector('ul.findings[data-for=""]')).append(item(finding));
    }
    panel(result.findings);
    document.querySelectorAll(".acknowledgements li[data-entry]").forEach((li) => {
      li.classList.toggle("stale", result.findings.some((f) => f.entry === Number(li.dataset.entry)));
      li.querySelector("span.stale").hidden = !li.classList.contains("stale");
    });
    form.querySelectorAll("input.total").forEach((input) => { input.placeholder = result.computed[input.dataset.cell] || "自动"; });
    const blocked = result.blocking > 0;
    document.getElementById("publish").classList.toggle("blocked", blocked);
    const toFill = form.querySelectorAll("[data-text].todo").length;
    const others = result.blocking - toFill;
    status.textContent = !blocked ? "可以发布" : (toFill ? "还需填写 " + toFill + " 项" + (others > 0 ? "，另有 " + others + " 个问题需要处理" : "") : "有 " + result.blocking + " 个问题需要处理") + "，暂不能发布";
  }

  // Edits not yet saved are kept in this browser too, so that a closed page, a stopped server or an
  // expired login loses nothing: they come back when the form is opened again, and are sent when
  // the server answers again.
  const kept = "nianbao:" + name;
  function keep() {
    try { localStorage.setItem(kept, JSON.stringify({edits: edits(), version: version, time: new Date().toLocaleString("zh-CN")})); } catch (e) { /* storage full or off: the page still holds them */ }
  }
  function forget() { try { localStorage.removeItem(kept); } catch (e) { /* nothing kept */ } }
  function restoreKept() {
    let entry = null;
    try { entry = JSON.parse(localStorage.getItem(kept) || "null"); } catch (e) { entry = null; }
    if (!entry || form.dataset.readonly) return;
    let changed = 0;
    eachInput((kind, key, e) => {
      const value = entry.edits[kind][key];
      if (value !== undefined && e.value !== value) { e.value = value; changed++; }
    });
    if (!changed) { forget(); return; }
    version = entry.version || version;
    dirty = true;
    say("已恢复 " + entry.time + " 未能保存的 " + changed + " 处修改，请检查后点“保存”", true);
  }

  function say(text, trouble) {
    saved.textContent = text;
    saved.classList.toggle("trouble", Boolean(trouble));
  }

  let retry = null;
  function unreachable() {
    keep();
    say("无法连接服务器：修改保留在本页（也存在本浏览器中），连接恢复后会自动保存。请不要关闭本页。", true);
    if (!retry) retry = setInterval(() => { if (dirty) save(); else { clearInterval(retry); retry = null; } }, 5000);
  }

  // fetch that answers null when the server cannot be reached (stopped, network down)
  async function send(kind, body) {
    try {
      const response = await post(url(kind), body);
      let result = {};
      try { result = await response.json(); } catch (e) { result = {message: "服务器的回答无法读取（" + response.status + "）"}; }
      return {response: response, result: result};
    } catch (e) {
      return null;
    }
  }

  function refused(response, result) {
    if (response.status === 403 || response.status === 401) {
      keep();
      say("登录已失效或页面已过期：修改已保存在本浏览器中。请在新标签页中重新登录，再回到本页点“保存”。", true);
    } else {
      say("保存失败：" + (result.message || response.status), true);
    }
  }

  let timer = null, sequence = 0;
  function schedule() {
    dirty = true;
    say("未保存");
    keep();
    clearTimeout(timer);
    timer = setTimeout(check, 120);
  }
  async function check() {
    const mine = ++sequence;
    const sent = await send("check", {edits: edits()});
    if (sent === null) { status.textContent = "无法连接服务器，暂时不能检查"; return; }
    if (sent.response.ok && mine === sequence) show(sent.result);
  }

  const dialog = document.getElementById("ack-dialog");
  function askReason(finding) {
    document.getElementById("ack-dialog-finding").textContent = finding.code + "〔" + finding.label + "〕" + finding.message;
    document.getElementById("ack-dialog-reason").value = "";
    document.getElementById("ack-dialog-problem").textContent = "";
    dialog.showModal();
    return new Promise((resolve) => {
      const ok = document.getElementById("ack-dialog-ok"), cancel = document.getElementById("ack-dialog-cancel");
      const done = (value) => { ok.onclick = cancel.onclick = null; dialog.close(); resolve(value); };
      cancel.onclick = () => done(null);
      ok.onclick = (event) => {
        event.preventDefault();
        const reason = document.getElementById("ack-dialog-reason").value.trim();
        if (!reason) { document.getElementById("ack-dialog-problem").textContent = "请写明理由：为什么核对后仍保留原样"; return; }
        done(reason);
      };
    });
  }

  async function afterSaved(sent) {
    if (sent === null) { unreachable(); return false; }
    if (!sent.response.ok) { if (sent.response.status === 409) say("表单已被别人修改：请先保存，解决冲突后再核对", true); else refused(sent.response, sent.result); return false; }
    version = sent.result.version;
    dirty = false;
    forget();
    location.reload();  // the 已核对 list and the findings as the saved form has them
    return true;
  }

  async function acknowledge(finding) {
    const reason = await askReason(finding);
    if (!reason) return;
    await afterSaved(await send("acknowledge", {edits: edits(), version: version, code: finding.code, path: finding.path, reason: reason}));
  }

  async function changeAcknowledgement(entry, action, reason) {
    await afterSaved(await send("acknowledgement", {edits: edits(), version: version, entry: entry, action: action, reason: reason || ""}));
  }
  document.querySelectorAll(".acknowledgements li[data-entry]").forEach((li) => {
    const entry = Number(li.dataset.entry);
    const remove = li.querySelector(".ack-remove"), rewrite = li.querySelector(".ack-reason");
    if (remove) remove.addEventListener("click", () => changeAcknowledgement(entry, "remove"));
    if (rewrite) rewrite.addEventListener("click", () => changeAcknowledgement(entry, "reason", li.querySelector("input.reason").value));
  });

  // Saved meanwhile by someone else: the server keeps every change that does not overlap, and
  // asks only about the fields both changed differently, one by one, in the report's words.
  function showClashes(clashes) {
    const body = document.getElementById("clashes");
    body.replaceChildren(...clashes.map((clash, n) => {
      const row = document.createElement("tr");
      row.dataset.kind = clash.kind;
      row.dataset.key = clash.key;
      const place = document.createElement("th");
      place.scope = "row";
      place.textContent = clash.label;
      row.append(place);
      for (const side of ["mine", "theirs"]) {
        const cell = document.createElement("td");
        const label = document.createElement("label");
        const choice = document.createElement("input");
        choice.type = "radio";
        choice.name = "clash" + n;
        choice.value = side;
        choice.checked = side === "mine";
        const value = document.createElement("span");
        value.className = "value";
        value.textContent = clash[side] || "（空）";
        label.append(choice, " ", value);
        cell.append(label);
        row.append(cell);
        row.dataset[side] = clash[side];
      }
      return row;
    }));
    document.getElementById("conflict").hidden = false;
    document.getElementById("conflict").scrollIntoView({block: "start"});
    say("保存冲突：有 " + clashes.length + " 处需要你选择", true);
  }

  async function resolve() {
    const resolved = [];
    document.querySelectorAll("#clashes tr").forEach((row) => {
      const side = row.querySelector("input:checked").value;
      const input = inputOf(EDITED[row.dataset.kind], row.dataset.key);
      if (input) input.value = row.dataset[side];
      resolved.push(row.dataset.kind + ":" + row.dataset.key);
    });
    return save(undefined, resolved);
  }

  async function save(force, resolved) {
    const sent = await send("save", {edits: edits(), version: force || version, resolved: resolved || []});
    if (sent === null) { unreachable(); return false; }
    const response = sent.response, result = sent.result;
    if (response.status === 409 && result.conflict) {
      if (result.clashes.length) showClashes(result.clashes);
      else say("表单刚被别人保存，请再点一次“保存”", true);
      return false;
    }
    if (!response.ok) { refused(response, result); return false; }
    version = result.version;
    dirty = false;
    forget();
    document.getElementById("conflict").hidden = true;
    say("已保存");
    if (result.merged && result.merged.length) location.href = "/form/" + quoted(name) + "?merged=" + encodeURIComponent(result.merged.slice(0, 5).join("、") + (result.merged.length > 5 ? " 等 " + result.merged.length + " 处" : ""));
    return true;
  }

  // Preview and downloads are made from the saved form: what is on the screen is saved first.
  document.querySelectorAll(".toolbar a[data-saved-first]").forEach((link) => {
    link.addEventListener("click", async (event) => {
      if (!dirty || form.dataset.readonly) return;
      event.preventDefault();
      say("正在保存，保存后" + link.textContent + "…");
      if (await save()) location.href = link.href;
    });
  });

  // Tables: Enter and the arrow keys move like a spreadsheet; a pasted block fills the cells it covers.
  function cellAt(input, dRow, dCol) {
    const cell = input.closest("td"), row = cell.parentElement;
    const column = Array.from(row.querySelectorAll("td")).indexOf(cell);
    const rows = Array.from(row.closest("tbody").rows).filter((r) => !r.classList.contains("cell-findings"));
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
    const whole = input.selectionStart === 0 && input.selectionEnd === input.value.length;  // as a move leaves it: the arrows go on at once
    const atStart = whole || (input.selectionStart === 0 && input.selectionEnd === 0);
    const atEnd = whole || input.selectionStart === input.value.length;
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

  const edited = (event) => { if (event.target.matches("[data-field], [data-text], [data-cell]")) schedule(); };
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  if (form.dataset.readonly) form.querySelectorAll("input, textarea, select").forEach((e) => { e.readOnly = true; e.disabled = e.tagName === "SELECT"; });
  const saveButton = document.getElementById("save");
  if (saveButton) saveButton.addEventListener("click", () => save());
  document.getElementById("resolve").addEventListener("click", resolve);
  document.getElementById("take-theirs").addEventListener("click", () => { dirty = false; forget(); location.reload(); });
  window.addEventListener("beforeunload", (event) => { if (dirty) event.preventDefault(); });
  document.addEventListener("keydown", (event) => { if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); if (saveButton) save(); } });
  restoreKept();
  check();
})();
