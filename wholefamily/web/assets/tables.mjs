// On a narrow screen (below GOV.UK's tablet breakpoint) a table with column headers stacks: each row becomes a block
// and each cell shows its column's header before its value, from a data-label this script gives it (the CSS is in
// _components.scss, .wf-table--stacked). A table that still does not fit (one without column headers) scrolls
// sideways inside its own region rather than pushing the page sideways (WCAG 2.2 1.4.10 Reflow). A region that
// scrolls is labelled from the table's caption and can take the keyboard focus (axe's
// scrollable-region-focusable), so keyboard users can scroll it too.

function labelCells(table) {
  const headerRow = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1] : null;
  if (!headerRow) {
    return;
  }
  const labels = [];
  for (const header of headerRow.cells) {
    for (let span = 0; span < (header.colSpan || 1); span += 1) {
      labels.push(header.textContent.replace(/\s+/g, " ").trim());
    }
  }
  for (const body of table.tBodies) {
    for (const row of body.rows) {
      let column = 0;
      for (const cell of row.cells) {
        const label = labels[column];
        if (label && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", label);
        }
        column += cell.colSpan || 1;
      }
    }
  }
  table.classList.add("wf-table--stacked");
}

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
    labelCells(table);
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
