// The Studio's writer (studio/writer.py): "Draft with AI" reads the server-sent events of a draft as it is
// written into a read-only preview; only the checked draft ("done") is put in the editor. The rewrite tools'
// Accept puts the suggested script in the editor; Discard drops it.
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

document.addEventListener("click", (event) => {
  const action = event.target.dataset ? event.target.dataset.writer : undefined;
  if (!action) return;
  const suggestion = document.getElementById("rewrite-script");
  if (action === "accept" && suggestion) putInEditor(suggestion.value);
  document.getElementById("rewrite-result").textContent = "";
});
