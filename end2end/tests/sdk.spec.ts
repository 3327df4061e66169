// The official SDKs (npm @anthropic-ai/sdk and openai), pointed at the proxy as a customer
// would, against a provider that answers with captured real exchanges: every call the CLIs
// rely on works, the proxy forwards the provider's key (never the customer's token), and each
// request is billed exactly what its usage says at the prices set on the staff page.
//
// The site is set up through its own pages: two customers sign up and make tokens, an admin
// adds the providers and prices and credits one customer. Runs once (hydrated project only).
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { test, expect, open } from "./fixtures";
import { SERVER_URL, UPSTREAM_URL, serverCommand, totp } from "./server";
import { TOKEN_BALANCE, USER_TABLE } from "./ids";
import { PASSWORD, addProvider, answerConsent, confirmedCustomer, createToken, enableTwoFactor, logIn, setPrice, signOut } from "./flows";

const CLAUDE = "claude-sdk-e2e";
const CLAUDE_UPSTREAM = "claude-haiku-4-5-20251001";
const GPT = "gpt-sdk-e2e";
const ANTHROPIC_KEY = "sk-ant-upstream-e2e-key-1111";
const OPENAI_KEY = "sk-openai-upstream-e2e-key-2222";

test.describe.configure({ mode: "serial", timeout: 120_000 });

const run = Date.now();
const paying = { email: `sdk-pay-${run}@example.com`, token: "" };
const broke = { email: `sdk-broke-${run}@example.com`, token: "" };

interface Forwarded {
  path: string;
  headers: Record<string, string>;
  model: string | null;
  stream: boolean;
  stream_options: { include_usage?: boolean } | null;
}

test.beforeAll(async ({ browser }) => {
  // Two sign-ups, an admin with two-step verification and four staff forms.
  test.setTimeout(180_000);
  const page = await browser.newPage({ extraHTTPHeaders: { "x-forwarded-for": "203.0.113.103" } });
  await answerConsent(page, true);
  for (const [customer, name] of [[paying, "Sam"], [broke, "Pat"]] as const) {
    await confirmedCustomer(page, name, customer.email, `sdk-${name.toLowerCase()}-${run}`, true);
    customer.token = await createToken(page, "sdk", true);
    expect(customer.token).toMatch(/^cdx_/);
    await signOut(page);
  }

  const adminEmail = `sdk-root-${run}@example.com`;
  serverCommand(["create-admin", "--email", adminEmail, "--username", `sdk-root-${run}`, "--password-stdin"], `${PASSWORD}\n`);
  await logIn(page, adminEmail, PASSWORD, true);
  await expect(page).toHaveURL(/\/account$/);
  const { secret } = await enableTwoFactor(page, true);
  await addProvider(page, {
    name: "Fake Anthropic",
    protocol: "anthropic",
    baseUrl: UPSTREAM_URL,
    apiKey: ANTHROPIC_KEY,
    models: `${CLAUDE}=${CLAUDE_UPSTREAM}`,
  }, true);
  await addProvider(page, { name: "Fake OpenAI", protocol: "openai", baseUrl: UPSTREAM_URL, apiKey: OPENAI_KEY, models: GPT }, true);
  await setPrice(page, CLAUDE, { input: "3", output: "15", cacheWrite5m: "3.75", cacheWrite1h: "6", cacheRead: "0.30" }, true);
  await setPrice(page, GPT, { input: "2", output: "10", cacheWrite5m: "0", cacheWrite1h: "0", cacheRead: "0.20" }, true);

  // $5 for the paying customer, confirmed with password and a fresh code.
  await open(page, "/admin/users", true);
  await page.getByLabel("Search email, username or name").fill(paying.email);
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByTestId(USER_TABLE).getByRole("link", { name: paying.email }).click();
  const grant = page.locator("form").filter({ has: page.getByRole("button", { name: "Post", exact: true }) });
  await grant.getByLabel("Amount").fill("5");
  await grant.getByLabel("Reason").fill("SDK test credit");
  await grant.getByLabel("Your password").fill(PASSWORD);
  await grant.getByLabel("Your two-step code").fill(totp(secret, 1));
  const posted = page.waitForResponse((response) => response.request().method() === "POST");
  await grant.getByRole("button", { name: "Post", exact: true }).click();
  expect((await posted).ok()).toBe(true);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId(TOKEN_BALANCE)).toContainText("$5.00 available", { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await page.close();
});

function anthropic(token: string) {
  return new Anthropic({ apiKey: token, baseURL: SERVER_URL, maxRetries: 0 });
}

function openai(token: string) {
  return new OpenAI({ apiKey: token, baseURL: `${SERVER_URL}/v1`, maxRetries: 0 });
}

test("Anthropic SDK: messages, streamed and not, and count_tokens", async () => {
  const client = anthropic(paying.token);
  const message = await client.messages.create({
    model: CLAUDE,
    max_tokens: 64,
    messages: [{ role: "user", content: "Say hi" }],
  });
  expect(message.content).toEqual([{ type: "text", text: "Hi from the fake upstream!" }]);
  expect(message.usage).toMatchObject({ input_tokens: 2, output_tokens: 7 });

  const stream = client.messages.stream({ model: CLAUDE, max_tokens: 64, messages: [{ role: "user", content: "Say hi" }] });
  const kinds: string[] = [];
  stream.on("streamEvent", (event) => kinds.push(event.type));
  const streamed = await stream.finalMessage();
  expect(streamed.content.map((block) => (block.type === "text" ? block.text : "")).join("")).toContain("Hi from the fake upstream");
  expect(streamed.usage).toMatchObject({ input_tokens: 2, cache_creation_input_tokens: 192, output_tokens: 7 });
  expect(kinds[0]).toBe("message_start");
  expect(kinds).toContain("content_block_delta");
  expect(kinds.at(-1)).toBe("message_stop");

  const counted = await client.messages.countTokens({ model: CLAUDE, messages: [{ role: "user", content: "Say hi" }] });
  expect(counted.input_tokens).toBe(2);
});

test("OpenAI SDK: responses, streamed and not, and a chat stream with usage", async () => {
  const client = openai(paying.token);
  const response = await client.responses.create({ model: GPT, input: "Say hi" });
  expect(response.output_text).toBe("Hi from the fake upstream!");
  expect(response.usage).toMatchObject({ input_tokens: 14, output_tokens: 7 });

  const events = await client.responses.create({ model: GPT, input: "Say hi", stream: true });
  let completed: OpenAI.Responses.Response | undefined;
  const deltas: string[] = [];
  for await (const event of events) {
    if (event.type === "response.output_text.delta") deltas.push(event.delta);
    if (event.type === "response.completed") completed = event.response;
  }
  expect(deltas.join("")).toBe("Hi from the fake upstream!");
  expect(completed?.usage).toMatchObject({ input_tokens: 14, output_tokens: 7 });

  const chunks = await client.chat.completions.create({
    model: GPT,
    messages: [{ role: "user", content: "Say hi" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of chunks) {
    text += chunk.choices[0]?.delta?.content ?? "";
    if (chunk.usage) usage = chunk.usage;
  }
  expect(text.length).toBeGreaterThan(0);
  expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 7 });
});

test("both SDKs list the models the token may use", async () => {
  const fromOpenAi: string[] = [];
  for await (const model of openai(paying.token).models.list()) fromOpenAi.push(model.id);
  expect(fromOpenAi).toEqual(expect.arrayContaining([CLAUDE, GPT]));
  const fromAnthropic: string[] = [];
  for await (const model of anthropic(paying.token).models.list()) fromAnthropic.push(model.id);
  expect(fromAnthropic).toEqual(expect.arrayContaining([CLAUDE, GPT]));
});

test("out of credit: Anthropic's 402 billing_error and OpenAI's 429 insufficient_quota", async () => {
  const refusedClaude = await anthropic(broke.token)
    .messages.create({ model: CLAUDE, max_tokens: 64, messages: [{ role: "user", content: "Say hi" }] })
    .catch((error: unknown) => error);
  expect(refusedClaude).toBeInstanceOf(Anthropic.APIError);
  const claudeError = refusedClaude as InstanceType<typeof Anthropic.APIError>;
  expect(claudeError.status).toBe(402);
  expect(claudeError.headers?.get("x-should-retry")).toBe("false");
  expect((claudeError.error as { error?: { type?: string } }).error?.type).toBe("billing_error");

  const refusedGpt = await openai(broke.token)
    .responses.create({ model: GPT, input: "Say hi" })
    .catch((error: unknown) => error);
  expect(refusedGpt).toBeInstanceOf(OpenAI.RateLimitError);
  expect((refusedGpt as InstanceType<typeof OpenAI.RateLimitError>).code).toBe("insufficient_quota");
});

test("the provider got its own key and mapped model, and each request was billed exactly", async ({ page }) => {
  const forwarded = (await (await fetch(`${UPSTREAM_URL}/requests`)).json()) as Forwarded[];
  expect(forwarded.length).toBeGreaterThanOrEqual(6);
  for (const request of forwarded) {
    const credentials = `${request.headers["x-api-key"] ?? ""} ${request.headers.authorization ?? ""}`;
    expect(credentials).not.toContain("cdx_");
    if (request.path.startsWith("/v1/messages")) {
      expect(request.headers["x-api-key"]).toBe(ANTHROPIC_KEY);
      expect(request.model).toBe(CLAUDE_UPSTREAM);
    } else {
      expect(request.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
      expect(request.model).toBe(GPT);
    }
  }
  const chat = forwarded.find((request) => request.path === "/v1/chat/completions");
  expect(chat?.stream_options?.include_usage).toBe(true);

  // Prices per million tokens × the usage each capture reports, in micro-units:
  // streamed message 2 × 3 + 192 × 3.75 + 7 × 15; message 2 × 3 + 7 × 15; responses 14 × 2 + 7 × 10;
  // chat 10 × 2 + 7 × 10; count_tokens is free.
  await answerConsent(page, true);
  await logIn(page, paying.email, PASSWORD, true);
  await expect(page).toHaveURL(/\/account$/);
  const csv = await (await page.request.get("/account/usage/requests.csv")).text();
  const [header, ...lines] = csv.trim().split("\n");
  const columns = header.split(",");
  const rows = lines.map((line) => Object.fromEntries(line.split(",").map((cell, i) => [columns[i], cell])));
  const charges = rows.map((row) => `${row.endpoint} ${row.stream} ${row.status} ${row.charge_micros}`).sort();
  expect(charges).toEqual(
    [
      "/v1/messages false ok 111",
      "/v1/messages true ok 831",
      "/v1/messages/count_tokens false ok 0",
      "/v1/responses false ok 98",
      "/v1/responses true ok 98",
      "/v1/chat/completions true ok 90",
    ].sort(),
  );
  await open(page, "/account/wallet", true);
  // $5 − $0.001228.
  await expect(page.getByTestId(TOKEN_BALANCE)).toContainText("$4.998772");
});
