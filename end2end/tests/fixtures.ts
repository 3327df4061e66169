// Shared fixtures: the Reddit hosts are intercepted (this machine has no internet, and the tests
// must see every request the page tries to make to them), and `jsEnabled` tells which project
// (hydrated or JavaScript disabled) the test runs in.
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import path from "node:path";

const FAKE_PIXEL = path.join(__dirname, "..", "fixtures", "fake-reddit-pixel.js");
const GIF = Buffer.from("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==", "base64");
const REDDIT_HOST = /(^|\.)reddit(static)?\.com$/;

export interface RedditTraffic {
  /** Every URL the page requested from a Reddit host, in order. */
  requests: string[];
}

export const test = base.extend<{ reddit: RedditTraffic; jsEnabled: boolean }>({
  jsEnabled: async ({ javaScriptEnabled }, use) => {
    await use(javaScriptEnabled !== false);
  },
  reddit: async ({ context }, use) => {
    const traffic: RedditTraffic = { requests: [] };
    context.on("request", (request) => {
      const host = new URL(request.url()).hostname;
      if (REDDIT_HOST.test(host)) traffic.requests.push(request.url());
    });
    await context.route("https://www.redditstatic.com/**", (route) =>
      route.fulfill({ path: FAKE_PIXEL, contentType: "application/javascript" }),
    );
    await context.route(/^https:\/\/([a-z-]+\.)?reddit\.com\//, (route) =>
      route.fulfill({ body: GIF, contentType: "image/gif" }),
    );
    await use(traffic);
  },
});

export { expect };

/** Opens a page and, in the hydrated project, waits until the WASM has taken over. */
export async function open(page: Page, url: string, jsEnabled: boolean) {
  const response = await page.goto(url);
  if (jsEnabled) await page.waitForSelector("body[data-hydrated=true]");
  return response;
}

export async function cookieNames(context: BrowserContext): Promise<string[]> {
  return (await context.cookies()).map((c) => c.name);
}

/** The anonymous consent id from the (HttpOnly) consent cookie. */
export async function consentId(context: BrowserContext): Promise<string | undefined> {
  const cookie = (await context.cookies()).find((c) => c.name === "codexapi_consent");
  return cookie?.value.split(":")[0];
}
