// The office's return comments shown beside the places they are about: a text, a table's row,
// a section; the others (the whole report, a finding) at the top of the form.
(function () {
  const data = document.getElementById("season-comments");
  if (!data) return;
  const top = document.querySelector('ul.findings[data-for=""]');
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = "/static/season.css";
  document.head.append(style);
  for (const comment of JSON.parse(data.textContent)) {
    const note = document.createElement("p");
    note.className = "season-comment";
    note.setAttribute("role", "note");
    note.dataset.place = comment.place;
    note.textContent = `退回意见：${comment.text}（${comment.author}，${comment.created}）`;
    const place = comment.place;
    const text = place && document.querySelector(`textarea[data-text="${CSS.escape(place)}"]`);
    const cell = place && document.querySelector(`input[data-cell^="${CSS.escape(place)}/"]`);
    const section = place && document.querySelector(`section[data-section="${CSS.escape(place)}"] > h2`);
    if (text) {
      text.closest("label").after(note);
    } else if (cell) {
      note.textContent = `退回意见（${cell.closest("tr").querySelector("th").textContent.trim()}）：${comment.text}（${comment.author}，${comment.created}）`;
      cell.closest(".wrap").before(note);
    } else if (section) {
      section.after(note);
    } else {
      if (place) note.textContent = `退回意见（${place}）：${comment.text}（${comment.author}，${comment.created}）`;
      top.before(note);
    }
  }
})();
