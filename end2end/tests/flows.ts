// Steps several specs take through the site: signing up and in, two-step verification, API
// tokens, and the staff pages that set up providers and prices.
import { expect, open } from "./fixtures";
import { linkIn, mailTo, totp } from "./server";
import { CONSENT_BANNER, FORM_NOTICE, NEW_TOKEN, PROVIDER_LIST, RECOVERY_CODES, TOTP_SECRET } from "./ids";
import type { Page } from "@playwright/test";

export const PASSWORD = "violet otter harmonica 42";

/** Answers the consent banner first, so it does not cover the forms under test. */
export async function answerConsent(page: Page, jsEnabled: boolean) {
  await open(page, "/", jsEnabled);
  await page.getByRole("button", { name: "Reject" }).click();
  await expect(page.getByTestId(CONSENT_BANNER)).toBeHidden();
}

export async function signOut(page: Page) {
  await page.getByRole("navigation", { name: "Account" }).getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/notice=signed-out/);
}

export async function logIn(page: Page, email: string, password: string, jsEnabled: boolean) {
  await open(page, "/login", jsEnabled);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signUp(page: Page, name: string, email: string, username: string, jsEnabled: boolean) {
  await open(page, "/signup", jsEnabled);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/notice=signed-up/);
}

/** Signs up, confirms the address from the mail and signs in. */
export async function confirmedCustomer(page: Page, name: string, email: string, username: string, jsEnabled: boolean) {
  await signUp(page, name, email, username, jsEnabled);
  await open(page, linkIn(await mailTo(email), "/verify-email"), jsEnabled);
  await page.getByRole("button", { name: "Confirm my email address" }).click();
  await expect(page).toHaveURL(/notice=email-verified/);
  await logIn(page, email, PASSWORD, jsEnabled);
  await expect(page).toHaveURL(/\/account$/);
}

/** Creates an API token on the tokens page and returns it (it is shown this once). */
export async function createToken(page: Page, name: string, jsEnabled: boolean): Promise<string> {
  await open(page, "/account/tokens", jsEnabled);
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page).toHaveURL(/notice=token-created/);
  return (await page.getByTestId(NEW_TOKEN).textContent()) ?? "";
}

/** Turns on two-step verification from its page; returns the secret and the recovery codes. */
export async function enableTwoFactor(page: Page, jsEnabled: boolean): Promise<{ secret: string; codes: string[] }> {
  await open(page, "/account/two-factor", jsEnabled);
  const secret = (await page.getByTestId(TOTP_SECRET).textContent()) ?? "";
  await page.getByLabel("Code from the app").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on two-step verification" }).click();
  await expect(page.getByTestId(FORM_NOTICE)).toContainText("Two-step verification is on");
  const codes = await page.getByTestId(RECOVERY_CODES).locator("li").allTextContents();
  expect(codes).toHaveLength(10);
  return { secret, codes };
}

export interface NewProvider {
  name: string;
  protocol: "anthropic" | "openai";
  baseUrl: string;
  apiKey: string;
  /** One per line: public name, or public=upstream. */
  models: string;
}

/** Adds a provider on the staff page (needs a staff session with two-step verification). */
export async function addProvider(page: Page, provider: NewProvider, jsEnabled: boolean) {
  await open(page, "/admin/providers", jsEnabled);
  await page.getByLabel("Name", { exact: true }).fill(provider.name);
  await page.getByLabel("Protocol").selectOption(provider.protocol);
  await page.getByLabel("Base URL").fill(provider.baseUrl);
  await page.getByLabel("API key").fill(provider.apiKey);
  await page.getByLabel("Models").fill(provider.models);
  await page.getByRole("button", { name: "Add provider" }).click();
  await expect(page.getByTestId(FORM_NOTICE)).toHaveText("The provider has been saved.");
  await expect(page.getByTestId(PROVIDER_LIST)).toContainText(provider.name);
}

/** Dollars per million tokens, as typed into the price form. */
export interface Prices {
  input: string;
  output: string;
  cacheWrite5m: string;
  cacheWrite1h: string;
  cacheRead: string;
}

/** Sets a model's price from now on, on the providers page. */
export async function setPrice(page: Page, model: string, prices: Prices, jsEnabled: boolean) {
  await open(page, "/admin/providers", jsEnabled);
  await page.getByLabel("Model", { exact: true }).fill(model);
  await page.getByLabel("Input", { exact: true }).fill(prices.input);
  await page.getByLabel("Output", { exact: true }).fill(prices.output);
  await page.getByLabel("Cache write, 5 minutes").fill(prices.cacheWrite5m);
  await page.getByLabel("Cache write, 1 hour").fill(prices.cacheWrite1h);
  await page.getByLabel("Cache read").fill(prices.cacheRead);
  await page.getByRole("button", { name: "Set price from now" }).click();
  await expect(page.getByTestId(FORM_NOTICE)).toHaveText("The new price is in force for requests from now on.");
}
