import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    // The workspace packages are bundled from source (as tsconfig.json's `paths` type-checks them),
    // so the web build does not depend on `tsc -b` having written their dist/ first.
    alias: {
      '@baro/client': here('../../../packages/client/src/index.ts'),
      '@baro/protocol': here('../../../packages/protocol/src/index.ts'),
    },
  },
  build: { outDir: '../dist/web', emptyOutDir: true },
});
