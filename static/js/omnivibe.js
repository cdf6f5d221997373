// Page behaviour lives here, never inline: the Content-Security-Policy allows scripts and styles from our own
// origin only. Styles set through the DOM (element.style) are allowed; style="" attributes in HTML are not.
"use strict";

function paintSwatches(root) {
  for (const swatch of root.querySelectorAll(".swatch[data-color]")) {
    swatch.style.backgroundColor = swatch.dataset.color;
  }
}

document.addEventListener("DOMContentLoaded", () => paintSwatches(document));
document.addEventListener("htmx:afterSwap", (event) => paintSwatches(event.target));
