// The server under test: the debug binary cargo-leptos built, a fresh SQLite database per run,
// and a configured Reddit Pixel id so the consent tests have something to (not) load.
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const PORT = process.env.E2E_PORT ?? "3110";
export const SERVER_URL = `http://127.0.0.1:${PORT}`;
export const PIXEL_ID = "a2_e2e_pixel";
export const SMTP_PORT = process.env.E2E_SMTP_PORT ?? "3125";
export const SINK_URL = `http://127.0.0.1:${process.env.E2E_SINK_PORT ?? "3126"}`;
/** The fake model provider (fixtures/fake-upstream.mjs) the proxy forwards to in the SDK tests. */
export const UPSTREAM_URL = `http://127.0.0.1:${process.env.E2E_UPSTREAM_PORT ?? "3127"}`;
// A fixed key for the test server only (32 bytes, base64).
const SECRET_KEY = "ZTJlLW9ubHkta2V5LWZvci1jb2RleGFwaS1icm93c2Vy";
const DB_DIR = path.join(ROOT, "end2end", ".tmp");

export function serverBinary(): string {
  // E2E_SERVER_BINARY runs the suite against another build, e.g. target/server-release/server.
  if (process.env.E2E_SERVER_BINARY) return path.resolve(ROOT, process.env.E2E_SERVER_BINARY);
  const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target");
  return path.join(targetDir, "debug", "server");
}

/**
 * A fresh database for every run. The runner process picks the file when it loads the config and
 * exports it; the worker processes inherit the variable and so talk to the same database.
 */
function databaseFile(): string {
  if (!process.env.E2E_DB_FILE) {
    rmSync(DB_DIR, { recursive: true, force: true });
    mkdirSync(DB_DIR, { recursive: true });
    process.env.E2E_DB_FILE = path.join(DB_DIR, `e2e-${process.pid}.db`);
  }
  return process.env.E2E_DB_FILE;
}

export function serverEnv(): Record<string, string> {
  const dbFile = databaseFile();
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("CODEXAPI_")) env[key] = value;
  }
  return {
    ...env,
    CODEXAPI_SERVER__PORT: PORT,
    CODEXAPI_SERVER__BASE_URL: SERVER_URL,
    CODEXAPI_DATABASE__URL: `sqlite://${dbFile}`,
    CODEXAPI_LEPTOS__SITE_ROOT: path.join(ROOT, "target", "site"),
    CODEXAPI_ANALYTICS__REDDIT_PIXEL_ID: PIXEL_ID,
    CODEXAPI_LOG__FILTER: "warn",
    CODEXAPI_SECURITY__SECRET_KEY: SECRET_KEY,
    CODEXAPI_EMAIL__SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`,
    CODEXAPI_EMAIL__POLL_INTERVAL_MS: "50",
    CODEXAPI_SERVER__TRUSTED_PROXIES: '["127.0.0.1/32"]',
    // The fake provider listens on loopback, which production refuses as an upstream.
    CODEXAPI_PROXY__ALLOW_PRIVATE_UPSTREAMS: "true",
  };
}

/** Runs an operator command of the server binary against the test database. */
export function serverCommand(args: string[], input?: string): string {
  return execFileSync(serverBinary(), args, { env: serverEnv(), encoding: "utf8", input });
}

export interface ConsentRecord {
  consent_id: string;
  analytics: boolean;
  advertising: boolean;
  policy_version: string;
  method: string;
}

/** Every consent record stored for one consent id, oldest first. */
export function consentRecords(consentId: string): ConsentRecord[] {
  return serverCommand(["consent-log", "--consent-id", consentId])
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ConsentRecord);
}

export interface Mail {
  to: string[];
  subject: string;
  body: string;
}

/** Waits for the `count`-th mail to `address` in the SMTP sink and returns it. */
export async function mailTo(address: string, count = 1): Promise<Mail> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await fetch(`${SINK_URL}/messages?to=${encodeURIComponent(address)}`);
    const mails = (await response.json()) as Mail[];
    if (mails.length >= count) return mails[count - 1];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail #${count} to ${address}`);
}

/** The first link to `path` in a mail. */
export function linkIn(mail: Mail, path: string): string {
  const match = mail.body.match(new RegExp(`https?://[^\\s]*${path}\\?token=[A-Za-z0-9_-]+`));
  if (!match) throw new Error(`no ${path} link in: ${mail.body}`);
  return match[0];
}

/** The RFC 6238 code (SHA-1, 6 digits, 30 s) for a base32 secret, `offsetSteps` steps from now. */
export function totp(secretBase32: string, offsetSteps = 0): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secretBase32.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  }
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + offsetSteps));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return ((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, "0");
}
