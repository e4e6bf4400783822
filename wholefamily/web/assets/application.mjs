// Starts GOV.UK Frontend's and MOJ Frontend's components on the page, and our wide tables' scrolling regions.
import { initAll as initGovukFrontend } from "./govuk-frontend.min.js";
import { initAll as initMojFrontend } from "./moj-frontend.min.js";
import { initTables } from "./tables.mjs";

initGovukFrontend();
initMojFrontend();
initTables();
