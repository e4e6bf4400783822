// Wide tables scroll sideways inside their own region rather than pushing the page sideways on a narrow screen
// (WCAG 2.2 1.4.10 Reflow). A region that scrolls is labelled from the table's caption and can take the keyboard
// focus (axe's scrollable-region-focusable), so keyboard users can scroll it too.

function labelRegions() {
  for (const region of document.querySelectorAll(".wf-table-scroll")) {
    if (region.scrollWidth > region.clientWidth + 1) {
      const caption = region.querySelector("caption");
      const name = caption ? caption.textContent.trim() : "Table";
      region.setAttribute("role", "region");
      region.setAttribute("aria-label", `${name || "Table"} (scroll sideways to see every column)`);
      region.setAttribute("tabindex", "0");
    } else {
      region.removeAttribute("role");
      region.removeAttribute("aria-label");
      region.removeAttribute("tabindex");
    }
  }
}

export function initTables() {
  for (const table of document.querySelectorAll("table.govuk-table")) {
    if (table.parentElement.classList.contains("wf-table-scroll")) {
      continue;
    }
    const region = document.createElement("div");
    region.className = "wf-table-scroll";
    table.parentNode.insertBefore(region, table);
    region.appendChild(table);
  }
  labelRegions();
  window.addEventListener("resize", labelRegions);
}
