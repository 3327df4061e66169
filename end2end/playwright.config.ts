import { defineConfig } from "@playwright/test";
import { SERVER_URL, SMTP_PORT, SINK_URL, UPSTREAM_URL, serverEnv, serverBinary } from "./tests/server";

// Every spec runs twice: hydrated (the WASM takes over) and with JavaScript disabled (the
// server-rendered page and plain form posts must work on their own).
const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  },
};

export default defineConfig({
  testDir: "./tests",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  timeout: 30_000,
  use: {
    baseURL: SERVER_URL,
    trace: "retain-on-failure",
  },
  projects: [
    // Each project appears to come from its own address (the server trusts loopback as a
    // proxy), so the per-address sign-in and sign-up budgets are not shared between them.
    {
      name: "hydrate",
      use: { ...chromium, javaScriptEnabled: true, extraHTTPHeaders: { "x-forwarded-for": "203.0.113.101" } },
    },
    {
      name: "ssr",
      // The SDK spec talks to the API, not to pages: it runs once, in the hydrated project.
      testIgnore: /sdk\.spec\.ts$/,
      use: { ...chromium, javaScriptEnabled: false, extraHTTPHeaders: { "x-forwarded-for": "203.0.113.102" } },
    },
  ],
  webServer: [
    {
      // The SMTP sink the server delivers to; tests read their mail from its HTTP side.
      command: `node fixtures/smtp-sink.mjs ${SMTP_PORT} ${new URL(SINK_URL).port}`,
      url: `${SINK_URL}/health`,
      reuseExistingServer: false,
      timeout: 10_000,
    },
    {
      // The model provider behind the proxy, replaying captured answers.
      command: `node fixtures/fake-upstream.mjs ${new URL(UPSTREAM_URL).port}`,
      url: `${UPSTREAM_URL}/health`,
      reuseExistingServer: false,
      timeout: 10_000,
    },
    {
      command: `${serverBinary()} serve`,
      env: serverEnv(),
      url: `${SERVER_URL}/readyz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
