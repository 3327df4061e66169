import { test, expect, open } from "./fixtures";
import { linkIn, mailTo, serverCommand, totp } from "./server";
import { TOKEN_BALANCE, NEW_TOKEN, TOKEN_LIST, ACCOUNT_MENU, FORM_ERROR, FORM_NOTICE, SECURITY_EVENTS, SESSION_LIST, USER_TABLE, WALLET_CSV, SPEND_CHART, USAGE_ROWS, PROVIDER_LIST } from "./ids";
import { PASSWORD, addProvider, answerConsent, confirmedCustomer, enableTwoFactor, logIn, setPrice, signOut, signUp } from "./flows";

// Full sign-up and two-step flows load many hydrated pages; the default 30 s is too tight.
test.describe.configure({ timeout: 90_000 });

test.beforeEach(async ({ page, jsEnabled }) => {
  await answerConsent(page, jsEnabled);
});

test("sign up, confirm by mail, sign in, turn on 2FA, sign in with a code, revoke another device", async ({ page, browser, jsEnabled }, testInfo) => {
  const suffix = `${testInfo.project.name}-${Date.now()}`;
  const email = `ann-${suffix}@example.com`;

  await signUp(page, "Ann Example", email, `ann-${testInfo.project.name}`, jsEnabled);
  await expect(page).toHaveURL(/\/login\?notice=signed-up/);
  await expect(page.getByTestId(FORM_NOTICE)).toContainText("emailed you a link");

  const link = linkIn(await mailTo(email), "/verify-email");
  await open(page, link, jsEnabled);
  await page.getByRole("button", { name: "Confirm my email address" }).click();
  await expect(page).toHaveURL(/\/login\?notice=email-verified/);

  await logIn(page, email, "not the password", jsEnabled);
  await expect(page.getByTestId(FORM_ERROR)).toHaveText("The email or password is incorrect.");
  await logIn(page, email, PASSWORD, jsEnabled);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText(`Email: ${email} (confirmed)`)).toBeVisible();
  await expect(page.getByTestId(ACCOUNT_MENU)).toContainText(`ann-${testInfo.project.name}`);

  // A second device signs in.
  const other = await browser.newContext({ javaScriptEnabled: jsEnabled });
  const phone = await other.newPage();
  await answerConsent(phone, jsEnabled);
  await logIn(phone, email, PASSWORD, jsEnabled);
  await expect(phone).toHaveURL(/\/account$/);

  const { secret } = await enableTwoFactor(page, jsEnabled);
  await signOut(page);
  await expect(page).toHaveURL(/\/login\?notice=signed-out/);

  await logIn(page, email, PASSWORD, jsEnabled);
  await expect(page).toHaveURL(/\/login\/two-factor/);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=/, { timeout: 5_000 });
  await logIn(page, email, PASSWORD, jsEnabled);
  await page.getByLabel("Code").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByTestId(FORM_ERROR)).toContainText("not correct");
  // The enrolment code's time step is spent; the next step's code is within the allowed drift.
  await page.getByLabel("Code").fill(totp(secret, 1));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/account$/);

  await open(page, "/account/security", jsEnabled);
  const sessions = page.getByTestId(SESSION_LIST).locator("li");
  await expect(sessions).toHaveCount(2);
  await sessions.filter({ hasNotText: "(this device)" }).getByRole("button", { name: "Sign out this device" }).click();
  await expect(page).toHaveURL(/notice=session-revoked/);
  await expect(page.getByTestId(SESSION_LIST).locator("li")).toHaveCount(1);
  await expect(page.getByTestId(SECURITY_EVENTS)).toContainText("Device signed out");
  await expect(page.getByTestId(SECURITY_EVENTS)).toContainText("Two-step verification turned on");

  await phone.goto("/account");
  await expect(phone).toHaveURL(/\/login\?next=%2Faccount/);
  await other.close();

  await signOut(page);
  await expect(page).toHaveURL(/\/login\?notice=signed-out/);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=/);
});

test("a forgotten password is reset by a mailed link", async ({ page, jsEnabled }, testInfo) => {
  const suffix = `${testInfo.project.name}-${Date.now()}`;
  const email = `bo-${suffix}@example.com`;
  await signUp(page, "Bo", email, `bo-${testInfo.project.name}`, jsEnabled);

  await open(page, "/forgot-password", jsEnabled);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Email me a reset link" }).click();
  await expect(page.getByTestId(FORM_NOTICE)).toContainText("If an account uses that address");

  const link = linkIn(await mailTo(email, 2), "/reset-password");
  await open(page, link, jsEnabled);
  await page.getByLabel("New password").fill("password1");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByTestId(FORM_ERROR)).toContainText("most commonly used");

  await open(page, link, jsEnabled);
  await page.getByLabel("New password").fill("a whole new passphrase");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/login\?notice=password-reset/);
  await logIn(page, email, "a whole new passphrase", jsEnabled);
  await expect(page).toHaveURL(/\/account$/);
});

test("the staff section is refused to customers and lets admins suspend, add providers and set prices", async ({ page, jsEnabled }, testInfo) => {
  const project = testInfo.project.name;
  const customerEmail = `cy-${project}-${Date.now()}@example.com`;
  await signUp(page, "Cy", customerEmail, `cy-${project}`, jsEnabled);
  await logIn(page, customerEmail, PASSWORD, jsEnabled);
  await expect(page).toHaveURL(/\/account$/);
  const refused = await page.goto("/admin/users");
  expect(refused?.status()).toBe(403);
  await expect(page.getByText("this needs you to be a member of staff")).toBeVisible();
  await page.goto("/login");
  await page.context().clearCookies();

  const adminEmail = `root-${project}-${Date.now()}@example.com`;
  serverCommand(
    ["create-admin", "--email", adminEmail, "--username", `root-${project}`, "--name", "Root", "--password-stdin"],
    `${PASSWORD}\n`,
  );
  await logIn(page, adminEmail, PASSWORD, jsEnabled);
  await expect(page).toHaveURL(/\/account$/);
  const beforeTwoFactor = await page.goto("/admin/users");
  expect(beforeTwoFactor?.status()).toBe(403);
  await expect(page.getByText("staff functions need two-step verification")).toBeVisible();
  await enableTwoFactor(page, jsEnabled);
  await open(page, "/admin/users", jsEnabled);
  await page.getByLabel("Search email, username or name").fill(`cy-${project}`);
  await page.getByRole("button", { name: "Search" }).click();
  const table = page.getByTestId(USER_TABLE);
  await expect(table).toContainText(customerEmail);
  await expect(table).not.toContainText(adminEmail);
  await table.getByRole("link", { name: customerEmail }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(customerEmail);
  await page.getByRole("button", { name: "Suspend account" }).click();
  await expect(page.getByTestId(FORM_NOTICE)).toHaveText("The account has been updated.");
  await expect(page.getByRole("button", { name: "Reinstate account" })).toBeVisible();
  await expect(page.getByTestId(SECURITY_EVENTS)).toContainText("Account suspended");

  // Providers and prices: the key is never shown again, only its last four characters.
  const providerName = `Upstream ${project} ${Date.now()}`;
  await addProvider(page, {
    name: providerName,
    protocol: "anthropic",
    baseUrl: "https://api.example.com",
    apiKey: "sk-e2e-secret-key-9876",
    models: `claude-e2e-${project}`,
  }, jsEnabled);
  await expect(page.getByTestId(PROVIDER_LIST)).toContainText("…9876");
  expect(await page.content()).not.toContain("sk-e2e-secret-key");
  await setPrice(page, `claude-e2e-${project}`, { input: "3", output: "15", cacheWrite5m: "3.75", cacheWrite1h: "6", cacheRead: "0.30" }, jsEnabled);
  await expect(page.getByRole("row", { name: new RegExp(`claude-e2e-${project}`) }).last()).toContainText("$15.00");
});

test("a confirmed customer creates an API token shown once, revokes it, filters and exports the wallet history and sees usage", async ({ page, jsEnabled }, testInfo) => {
  const project = testInfo.project.name;
  const email = `dee-${project}-${Date.now()}@example.com`;
  await confirmedCustomer(page, "Dee", email, `dee-${project}`, jsEnabled);

  await open(page, "/account/wallet", jsEnabled);
  await expect(page.getByTestId(TOKEN_BALANCE)).toContainText("$0.00");
  await page.getByLabel("Redemption code").fill("CDX-AAAA-BBBB-CCCC-DDDD");
  await page.getByRole("button", { name: "Redeem" }).click();
  await expect(page.getByTestId(FORM_ERROR)).toContainText("this code is not valid");

  await open(page, "/account/tokens", jsEnabled);
  await page.getByLabel("Name").fill("laptop");
  await page.getByLabel("Daily spend limit").fill("5");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page).toHaveURL(/notice=token-created/);
  const token = (await page.getByTestId(NEW_TOKEN).textContent()) ?? "";
  expect(token).toMatch(/^cdx_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
  await expect(page.getByTestId(TOKEN_LIST)).toContainText("$5.00 per day");

  await page.reload();
  await expect(page.getByTestId(NEW_TOKEN)).toHaveCount(0);
  expect(await page.content()).not.toContain(token);
  await page.getByTestId(TOKEN_LIST).getByRole("button", { name: "Revoke" }).click();
  await expect(page).toHaveURL(/notice=token-revoked/);
  await expect(page.getByTestId(TOKEN_LIST).locator("li")).toHaveAttribute("data-state", "revoked");

  // The wallet history filter is a plain form; its CSV link exports what it selects.
  await open(page, "/account/wallet", jsEnabled);
  await page.getByLabel("Kind").selectOption("redemption");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/kind=redemption/);
  const csvLink = page.getByTestId(WALLET_CSV);
  await expect(csvLink).toHaveAttribute("href", /history\.csv\?kind=redemption/);
  const csv = await page.request.get((await csvLink.getAttribute("href")) ?? "");
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  expect(await csv.text()).toMatch(/^time_utc,wallet,kind,description/);

  // Usage: charts and an (empty) request table.
  await open(page, "/account/usage", jsEnabled);
  await expect(page.getByTestId(SPEND_CHART)).toContainText("Spend per day: $0.00 in 30 days");
  await expect(page.getByTestId(USAGE_ROWS)).toBeVisible();
});
