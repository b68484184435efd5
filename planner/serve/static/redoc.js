"use strict";
// ReDoc over the server's own OpenAPI, from the installed package's files.
document.addEventListener("DOMContentLoaded", () => {
  Redoc.init("/openapi.json", {}, document.getElementById("redoc"));
});
