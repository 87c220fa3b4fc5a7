"use strict";
const fs = require("node:fs");
const { pathToFileURL } = require("node:url");

// A function's layers are merged read-only at /opt. CommonJS `require` finds
// /opt/nodejs/node<major>/node_modules and /opt/nodejs/node_modules through NODE_PATH
// (the image's, read as Node starts). ES-module `import` ignores NODE_PATH, so when
// the function has a /opt/nodejs, a resolve hook (module.register, Node's documented
// customisation hooks) resolves a bare specifier that fails from the importer's own
// node_modules once more as if it were imported from /opt/nodejs/node<major>/, whose
// lookup walks node<major>/node_modules, then nodejs/node_modules: NODE_PATH's order,
// with Node's own resolver (package exports and conditions included). A function
// without layers loads no hook.
function useLayerModules() {
  if (!fs.existsSync("/opt/nodejs")) return;
  const major = process.versions.node.split(".")[0];
  const parent = pathToFileURL(`/opt/nodejs/node${major}/`).href;
  const hook = `export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (err?.code !== "ERR_MODULE_NOT_FOUND" || /^[./]|^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(specifier)) throw err;
    try {
      return await next(specifier, { ...context, parentURL: ${JSON.stringify(parent)} });
    } catch {
      throw err;
    }
  }
}`;
  require("node:module").register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

module.exports = { useLayerModules };
