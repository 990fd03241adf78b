import { defineConfig } from 'vite';

// The agent serves the build at /ui/ (index.html) and /ui/assets/ (hashed files); Maven passes --outDir.
export default defineConfig({
  base: '/ui/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    assetsInlineLimit: 0, // every asset a file of its own: the page's Content-Security-Policy allows only 'self'
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 200,
  },
});
