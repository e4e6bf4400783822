// Marks the body as able to run GOV.UK Frontend's JavaScript. Loaded as the first thing in <body>
// from a file, because the Content-Security-Policy forbids inline scripts.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
