// The console's build: Preact through esbuild's own JSX transform (no plugin), one
// hashed file per chunk under assets/, the editor and charts split off so the first
// page loads neither. Served by the control plane at /console/.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/console/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
});
