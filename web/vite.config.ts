/**
 * The web console's build: a React app compiled into web/dist, which `breachdesk serve`
 * serves at `/`. `npm ci` builds it (the package's `prepare` script).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server's CSP allows no inline script or style, so nothing may be inlined.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npx vite --config web/vite.config.ts` for development, against a local `serve`.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
