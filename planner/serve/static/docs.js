"use strict";
// Swagger UI over the server's own OpenAPI, from the installed package's
// files (no CDN); the session cookie of the page signs its requests in.
document.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
  });
});
