// The Studio's writer (studio/writer.py): "Draft with AI" reads the server-sent events of a draft as it is
// written into a read-only preview; only the checked draft ("done") is put in the editor. The rewrite tools work
// on a block or on the words selected in the editor (kept in the form's hidden fields as the selection changes);
// Accept splices the suggestion over the passage it replaces, if the editor still holds it there; Discard drops it.
"use strict";

function editorBody() {
  return document.getElementById("id_body");
}

function putInEditor(text, title) {
  const body = editorBody();
  body.value = text;
  body.dispatchEvent(new Event("input", { bubbles: true })); // the estimate and other panels listen
  body.dispatchEvent(new Event("change", { bubbles: true }));
  const titleInput = document.getElementById("id_title");
  if (title && titleInput) titleInput.value = title;
}

function parseEvents(buffer, onEvent) {
  // Frames end with a blank line; returns what is left of an unfinished frame.
  let end;
  while ((end = buffer.indexOf("\n\n")) >= 0) {
    const frame = buffer.slice(0, end);
    buffer = buffer.slice(end + 2);
    let name = "message";
    const data = [];
    for (const line of frame.split("\n")) {
      if (line.startsWith("event: ")) name = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (data.length) onEvent(name, JSON.parse(data.join("\n")));
  }
  return buffer;
}

async function streamDraft(form) {
  const status = document.getElementById("ai-draft-status");
  const preview = document.getElementById("ai-draft-preview");
  const button = document.getElementById("ai-draft-button");
  status.className = "muted";
  status.textContent = "Writing… (what you see is not checked yet)";
  preview.textContent = "";
  preview.hidden = false;
  button.disabled = true;
  const show = (name, data) => {
    if (name === "text") preview.textContent += data;
    else if (name === "restart") {
      preview.textContent = "";
      status.textContent = data;
    } else if (name === "done") {
      putInEditor(data.body, data.title);
      preview.hidden = true;
      status.textContent = `A draft of ${data.words} words by ${data.writer}${data.repaired ? " (written a second time: the first did not read as a script)" : ""} is in the editor: read it, change it, then save.`;
    } else if (name === "failed") {
      preview.hidden = true;
      status.className = "errorlist";
      status.textContent = `${data.message} The editor is unchanged.`;
    }
  };
  try {
    const response = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer = parseEvents(buffer + decoder.decode(value, { stream: true }), show);
    }
  } catch (error) {
    show("failed", { message: "The connection to the writer was lost." });
  } finally {
    button.disabled = false;
  }
}

document.addEventListener("submit", (event) => {
  if (event.target.id === "ai-draft-form") {
    event.preventDefault();
    streamDraft(event.target);
  }
});

// The server counts characters as code points; the editor's selection counts UTF-16 units.
function codePoints(text) {
  return Array.from(text);
}

function rememberSelection() {
  const body = editorBody();
  const start = document.getElementById("rewrite-selection-start");
  if (!body || !start) return;
  const text = body.value.slice(body.selectionStart, body.selectionEnd);
  const preview = document.getElementById("rewrite-selection-preview");
  if (!text.trim()) return; // a click in the editor keeps the last selection for the tools
  start.value = codePoints(body.value.slice(0, body.selectionStart)).length;
  document.getElementById("rewrite-selection-end").value = start.value * 1 + codePoints(text).length;
  document.getElementById("rewrite-selection-text").value = text;
  document.getElementById("rewrite-scope-selection").checked = true;
  const words = text.trim().split(/\s+/);
  preview.textContent = `Selected: “${words.slice(0, 12).join(" ")}${words.length > 12 ? " …" : ""}” (${words.length} words)`;
}

for (const name of ["select", "keyup", "mouseup"]) {
  document.addEventListener(name, (event) => {
    if (event.target === editorBody()) rememberSelection();
  });
}

function acceptRewrite() {
  const suggestion = document.getElementById("rewrite-suggestion");
  const body = editorBody();
  const chars = codePoints(body.value);
  const start = Number(suggestion.dataset.start);
  const end = Number(suggestion.dataset.end);
  if (chars.slice(start, end).join("") !== document.getElementById("rewrite-before").value) {
    return false; // the editor changed there since the suggestion was asked for
  }
  const after = document.getElementById("rewrite-after").value;
  putInEditor(chars.slice(0, start).join("") + after + chars.slice(end).join(""));
  const caret = chars.slice(0, start).join("").length + after.length;
  body.setSelectionRange(caret, caret);
  document.getElementById("rewrite-selection-text").value = "";
  return true;
}

document.addEventListener("click", (event) => {
  const action = event.target.dataset ? event.target.dataset.writer : undefined;
  if (!action) return;
  const result = document.getElementById("rewrite-result");
  if (action === "accept" && !acceptRewrite()) {
    result.innerHTML = '<p class="errorlist" id="rewrite-error"></p>';
    result.firstChild.textContent = "The editor's text changed there since this suggestion: ask again.";
    return;
  }
  result.textContent = "";
});
