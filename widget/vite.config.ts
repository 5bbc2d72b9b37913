import { fileURLToPath } from "node:url";
import { build, defineConfig, type Plugin } from "vite";
import solid from "vite-plugin-solid";

const root = fileURLToPath(new URL(".", import.meta.url));
const outDir = fileURLToPath(new URL("./dist", import.meta.url));

/**
 * embed.js is a second, separate build: a self-contained IIFE (no Solid, no chunks) that host pages load with a
 * plain script tag, so it cannot share the app's module graph. It runs once the app's bundle is written.
 */
function embedLoader(): Plugin {
  let done = false;
  return {
    name: "thotis-embed-loader",
    apply: "build",
    async closeBundle() {
      if (done) return;
      done = true;
      await build({
        configFile: false,
        root,
        logLevel: "warn",
        build: {
          outDir,
          emptyOutDir: false,
          minify: true,
          lib: { entry: fileURLToPath(new URL("./src/embed.ts", import.meta.url)), formats: ["iife"], name: "ThotisWidget", fileName: () => "embed.js" },
        },
      });
    },
  };
}

export default defineConfig({
  root,
  base: "/widget/",
  plugins: [solid(), embedLoader()],
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2020",
    modulePreload: { polyfill: false },
    // The "slow plugin" notice only reflects how busy the machine is; keep build output to what matters.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
});
