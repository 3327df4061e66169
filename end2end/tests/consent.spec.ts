import { test, expect, open, cookieNames, consentId } from "./fixtures";
import { consentRecords } from "./server";
import { CONSENT_BANNER, CONSENT_STORAGE_KEY, PRIVACY_BUTTON } from "./ids";

test("before any choice nothing optional is loaded, requested or stored", async ({ page, context, reddit, jsEnabled }) => {
  await open(page, "/", jsEnabled);

  const banner = page.getByTestId(CONSENT_BANNER);
  await expect(banner).toBeVisible();
  // Two answers, equally prominent, one click each.
  const accept = banner.getByRole("button", { name: "Accept analytics" });
  const reject = banner.getByRole("button", { name: "Reject" });
  await expect(accept).toBeVisible();
  await expect(reject).toBeVisible();
  const [a, r] = [await accept.boundingBox(), await reject.boundingBox()];
  expect(Math.round(a!.height)).toBe(Math.round(r!.height));
  expect(Math.abs(a!.width - r!.width)).toBeLessThan(2);
  expect(await accept.getAttribute("class")).toBe(await reject.getAttribute("class"));

  await page.waitForTimeout(1_000);
  expect(reddit.requests).toEqual([]);
  expect(await page.locator("script[data-codexapi-analytics]").count()).toBe(0);
  expect(await context.cookies()).toEqual([]);
  if (jsEnabled) expect(await page.evaluate(() => window.localStorage.length)).toBe(0);
});

test("rejecting at once loads nothing and is recorded", async ({ page, context, reddit, jsEnabled }) => {
  await open(page, "/pricing", jsEnabled);
  await page.getByRole("button", { name: "Reject" }).click();

  await expect(page.getByTestId(CONSENT_BANNER)).toBeHidden();
  await expect(page).toHaveURL(/\/pricing$/);
  await expect.poll(() => consentId(context)).toBeTruthy();
  const records = consentRecords((await consentId(context))!);
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({
    analytics: false,
    advertising: false,
    method: jsEnabled ? "banner_script" : "banner_form",
  });
  await page.waitForTimeout(1_000);
  expect(reddit.requests).toEqual([]);
  expect(await cookieNames(context)).toEqual(["codexapi_consent"]);
});

test("accepting loads the pixel and records the consent", async ({ page, context, reddit, jsEnabled }) => {
  await open(page, "/", jsEnabled);
  await page.getByRole("button", { name: "Accept analytics" }).click();

  await expect(page.getByTestId(CONSENT_BANNER)).toBeHidden();
  await expect.poll(() => consentId(context)).toBeTruthy();
  const id = (await consentId(context))!;
  const records = consentRecords(id);
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({ consent_id: id, analytics: true, advertising: true });
  expect(records[0].policy_version).toMatch(/\S/);

  if (jsEnabled) {
    await expect.poll(() => reddit.requests.some((u) => u.startsWith("https://alb.reddit.com/rp.gif"))).toBe(true);
    expect(reddit.requests[0]).toBe("https://www.redditstatic.com/ads/pixel.js");
    expect(await cookieNames(context)).toContain("_rdt_uuid");
    const stored = await page.evaluate((key) => window.localStorage.getItem(key), CONSENT_STORAGE_KEY);
    expect(JSON.parse(stored!)).toMatchObject({ consent_id: id, analytics: true });

    // The choice holds on the next page: no banner, pixel loaded again.
    reddit.requests.length = 0;
    await open(page, "/terms", jsEnabled);
    await expect(page.getByTestId(CONSENT_BANNER)).toBeHidden();
    await expect.poll(() => reddit.requests.length).toBeGreaterThan(0);
  } else {
    // Without JavaScript no tag can run at all.
    await page.waitForTimeout(1_000);
    expect(reddit.requests).toEqual([]);
  }
});

test("withdrawing through the Privacy button stops the pixel and removes its cookies", async ({ page, context, reddit, jsEnabled }) => {
  await open(page, "/", jsEnabled);
  await page.getByRole("button", { name: "Accept analytics" }).click();
  await expect(page.getByTestId(CONSENT_BANNER)).toBeHidden();
  if (jsEnabled) {
    await expect.poll(() => reddit.requests.length).toBeGreaterThan(1);
    await expect.poll(() => cookieNames(context)).toContain("_rdt_uuid");
  }

  await page.getByTestId(PRIVACY_BUTTON).click();
  const banner = page.getByTestId(CONSENT_BANNER);
  await expect(banner).toBeVisible();
  await expect(banner).toContainText("analytics accepted");
  const reloaded = jsEnabled ? page.waitForEvent("load") : Promise.resolve();
  await banner.getByRole("button", { name: "Reject" }).click();
  await reloaded;
  await expect(page.getByTestId(CONSENT_BANNER)).toBeHidden();

  const records = consentRecords((await consentId(context))!);
  expect(records.map((r) => r.analytics)).toEqual([true, false]);
  await expect.poll(() => cookieNames(context)).not.toContain("_rdt_uuid");
  expect(await page.locator("script[data-codexapi-analytics]").count()).toBe(0);

  // The tag beacons twice a second while alive; silence proves it is gone.
  reddit.requests.length = 0;
  await page.waitForTimeout(1_500);
  expect(reddit.requests).toEqual([]);
  await open(page, "/pricing", jsEnabled);
  await page.waitForTimeout(1_000);
  expect(reddit.requests).toEqual([]);
});

test("the Privacy button reopens the choice on every page", async ({ page, jsEnabled }) => {
  await open(page, "/", jsEnabled);
  await page.getByRole("button", { name: "Reject" }).click();
  await expect(page.getByTestId(CONSENT_BANNER)).toBeHidden();

  for (const path of ["/pricing", "/setup", "/privacy", "/terms", "/missing-page"]) {
    await open(page, path, jsEnabled);
    await expect(page.getByTestId(CONSENT_BANNER)).toBeHidden();
    await page.getByTestId(PRIVACY_BUTTON).click();
    await expect(page.getByTestId(CONSENT_BANNER)).toBeVisible();
    await expect(page.getByTestId(CONSENT_BANNER)).toContainText("analytics rejected");
  }
});
