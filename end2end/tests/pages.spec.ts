import { test, expect, open } from "./fixtures";
import { serverCommand } from "./server";
import { CONSENT_BANNER, PRICE_TABLE } from "./ids";

const PAGES: [string, string][] = [
  ["/", "One API key for Codex CLI and Claude Code"],
  ["/pricing", "Pricing"],
  ["/setup", "Set up your coding agent"],
  ["/privacy", "Privacy policy"],
  ["/terms", "Terms of service"],
];

test("every public page renders, and hydrates without CSP violations", async ({ page, jsEnabled }) => {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));

  for (const [path, heading] of PAGES) {
    const response = await open(page, path, jsEnabled);
    expect(response?.status(), path).toBe(200);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(heading);
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  }
  expect(errors).toEqual([]);
});

test("an unknown address shows a 404 page with a way home", async ({ page, jsEnabled }) => {
  const response = await open(page, "/no/such/page", jsEnabled);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page).toHaveURL(/\/$/);
});

test("the pricing page shows the prices in the database", async ({ page, jsEnabled }, testInfo) => {
  const model = `e2e-model-${testInfo.project.name}`;
  serverCommand(["set-price", "--model", model, "--input", "3000000", "--output", "15000000", "--cache-read", "300000"]);

  await open(page, "/pricing", jsEnabled);
  const row = page.getByTestId(PRICE_TABLE).getByRole("row", { name: new RegExp(model) });
  await expect(row).toContainText("$3.00");
  await expect(row).toContainText("$15.00");
  await expect(row).toContainText("$0.30");
});

test("the skip link is the first stop for keyboard users", async ({ page, jsEnabled }) => {
  await open(page, "/terms", jsEnabled);
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
});

test("navigation links work", async ({ page, jsEnabled }) => {
  await open(page, "/", jsEnabled);
  // Answer the banner first, as a visitor would: it sits over the bottom of the page.
  await page.getByRole("button", { name: "Reject" }).click();
  await expect(page.getByTestId(CONSENT_BANNER)).toBeHidden();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Pricing" }).click();
  await expect(page).toHaveURL(/\/pricing$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Pricing");
  await page.getByRole("navigation", { name: "Legal" }).getByRole("link", { name: "Privacy policy" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Privacy policy");
});
