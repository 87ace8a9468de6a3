import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Tauri loads `dist/` through its custom protocol in builds and the dev
// server below in `tauri dev` (tauri.conf.json `build.devUrl`).
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    host: '127.0.0.1',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK 2.4x / WKWebView (Safari 16+) and WebView2 (Chromium).
    target: ['safari16', 'chrome110'],
    sourcemap: false,
  },
  // Component tests mount Svelte in jsdom, which needs its browser build.
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts', 'scripts/**/*.test.mjs'],
  },
});
