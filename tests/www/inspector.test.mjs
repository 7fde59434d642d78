// Browser test of the token inspector (www/): playwright-core driving Debian's
// chromium against www/ served by `python3 -m http.server` on 127.0.0.1.
// Run through tests/www/run.sh (which builds www/vendor and installs playwright-core).
//
// Env: ROOT (repo root), PLAYWRIGHT_DIR (dir whose node_modules has playwright-core),
//      DRF_SSO_JWT_BIN (native CLI, mints the fixtures), CHROMIUM (default /usr/bin/chromium),
//      SHOTS (screenshot dir, default target/www-screenshots),
//      UPDATE_SCREENSHOT=1 to refresh www/screenshot.png (the README picture).
import { createRequire } from "node:module";
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, copyFileSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

const ROOT = process.env.ROOT || path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const require = createRequire(path.join(process.env.PLAYWRIGHT_DIR || path.join(ROOT, "target/www-test"), "package.json"));
const { chromium } = require("playwright-core");
const BIN = process.env.DRF_SSO_JWT_BIN || path.join(ROOT, "target/release/drf-sso-jwt");
const SETTINGS = path.join(ROOT, "keys/settings.json");
const SHOTS = process.env.SHOTS || path.join(ROOT, "target/www-screenshots");
mkdirSync(SHOTS, { recursive: true });

// ------------------------------------------------------------------ fixtures
const cli = (...args) => execFileSync(BIN, args, { encoding: "utf8" }).trim();
const NOW = Math.floor(Date.now() / 1000);
const issue = (type, now, ...more) =>
  cli("issue", "--settings", SETTINGS, "--type", type, "--sid", '"3f1c2a9e-5b7d-4e10-9a8b-2c4d6e8f0a1b"', "--uid", "7",
    "--email", "ada@example.com", "--now", String(now), ...more);
const VALID = issue("auth", NOW, "--claim", 'scopes=["read","write"]', "--claim", "account=42");
const EXPIRED = issue("auth", NOW - 1000);
const SESSION = issue("session", NOW);
// A signed token without `sid`: drf-sso's "Session ID is missing." (the core names the claim).
const NO_SID = JSON.parse(execFileSync(BIN, ["sign", "--settings", SETTINGS, "--now", String(NOW)], { input: '{"token":"auth","uid":1}\n', encoding: "utf8" })).token;
// a token from an issuer the settings do not accept (signed with the attacker test key)
const EVIL_SETTINGS = path.join(ROOT, "target/www-test/evil-settings.json");
mkdirSync(path.dirname(EVIL_SETTINGS), { recursive: true });
writeFileSync(EVIL_SETTINGS, JSON.stringify({ IDENTITY: "evilapp", PRIVATE_KEYS: { evilapp: "test-only-attacker.pem" },
  KEY_STORE_ROOT: path.join(ROOT, "keys"), AUTHORIZATION_AUDIENCE: ["myapp"] }));
const UNTRUSTED = cli("issue", "--settings", EVIL_SETTINGS, "--type", "auth", "--sid", '"x"', "--uid", "1", "--now", String(NOW));
const tamper = (t) => {
  const [h, p, s] = t.split(".");
  const i = Math.floor(s.length / 2);
  return [h, p, s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1)].join(".");
};
const TAMPERED = tamper(VALID);
// The example key set (www/tools/make-examples.mjs) has an EC P-256 and an Ed25519 key beside the
// RSA ones: settings files for the CLI that sign with each (ES256: a random nonce each time).
const settingsWith = (file, over) => {
  const base = JSON.parse(readFileSync(SETTINGS, "utf8"));
  base.PUBLIC_KEYS.myapp = [...base.PUBLIC_KEYS.myapp, "test-only-ec-p256.pem", "test-only-ed25519.pem"];
  base.DECODE_ALGORITHMS = [...base.DECODE_ALGORITHMS, "ES256", "EdDSA"];
  const f = path.join(ROOT, "target/www-test", file);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, JSON.stringify({ ...base, KEY_STORE_ROOT: path.join(ROOT, "keys"), ...over }));
  return f;
};
const EC_SETTINGS = settingsWith("ec-settings.json", { ENCODE_ALGORITHM: "ES256", PRIVATE_KEYS: { myapp: "test-only-ec-p256.pem" } });
const ED_SETTINGS = settingsWith("ed-settings.json", { ENCODE_ALGORITHM: "EdDSA", PRIVATE_KEYS: { myapp: "test-only-ed25519.pem" } });
const issueWith = (settings, type, now) => cli("issue", "--settings", settings, "--type", type, "--sid", '"ec-sid"', "--uid", "11",
  "--email", "ec@example.com", "--now", String(now));
const ES256_TOKEN = issueWith(EC_SETTINGS, "auth", NOW);
const EDDSA_TOKEN = issueWith(ED_SETTINGS, "auth", NOW);
const RSA_JWKS = cli("jwks", "--settings", SETTINGS);
const [vh, vp, vs] = VALID.split(".");
let shortPayload = vp;
while (shortPayload.length % 4 !== 1) shortPayload = shortPayload.slice(0, -1);
const BAD_PADDING = [vh, shortPayload, vs].join("."); // a base64url length no encoder produces

// ---------------------------------------------------------------- harness
let passed = 0;
let failed = 0;
const failures = [];
async function test(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   - ${name}`);
  } catch (e) {
    failed++;
    failures.push(name);
    console.log(`FAIL - ${name}\n       ${String(e && e.stack ? e.stack : e).split("\n").slice(0, 4).join("\n       ")}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
function eq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitHttp(url, ms) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not up yet */ }
    if (Date.now() > end) throw new Error(`server did not answer at ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ------------------------------------------------------------------- page helpers
const verdict = (page) =>
  page.evaluate(() => {
    const v = document.getElementById("verdict");
    return {
      state: v.dataset.state || "",
      code: v.dataset.code || "",
      title: document.getElementById("verdict-title").textContent,
      detail: document.getElementById("verdict-detail").textContent,
      message: document.getElementById("verdict-message").textContent,
    };
  });

async function pasteToken(page, token) {
  await page.fill("#token-input", token);
  // wait for the debounced analysis to show this token
  await page.waitForFunction((t) => document.getElementById("verdict").analyzedInput === t, token, { timeout: 5000 });
}

async function expectCode(page, code) {
  try {
    await page.waitForFunction((c) => document.getElementById("verdict").dataset.code === c, code, { timeout: 5000 });
  } catch {
    const v = await verdict(page);
    throw new Error(`verdict: expected code ${code}, got ${JSON.stringify(v)}`);
  }
  return verdict(page);
}

// ------------------------------------------------------- pure-JS helpers of app.js
const app = await import(path.join(ROOT, "www/app.js"));

await test("parseInput: bare token, header line, header value, other scheme", async () => {
  eq(JSON.stringify(app.parseInput("  a.b.c\n")), JSON.stringify({ kind: "token", token: "a.b.c", headerValue: null }), "bare");
  const h = app.parseInput("Authorization: JWT a.b.c");
  eq(h.kind, "header", "kind");
  eq(h.headerValue, "JWT a.b.c", "header value");
  eq(h.token, "a.b.c", "token");
  eq(app.parseInput("authorization:JWT x.y.z").headerValue, "JWT x.y.z", "no space, lower case");
  eq(app.parseInput("JWT a.b.c").kind, "header", "value without field name");
  eq(app.parseInput("Bearer a.b.c").token, "a.b.c", "other scheme");
  eq(app.parseInput("   ").kind, "empty", "empty");
});

await test("locateError places the core's claim and segment", async () => {
  const at = (code, claim = null, segment = null) => JSON.stringify(app.locateError({ code, claim, segment }));
  eq(at("bad_signature", null, "signature"), JSON.stringify({ segment: "signature", claims: [], headerKeys: [] }), "bad_signature");
  eq(JSON.parse(at("expired", "exp", "payload")).claims.join(), "exp", "expired");
  eq(JSON.parse(at("missing_claim", "sid", "payload")).claims.join(), "sid", "Session ID is missing.");
  eq(JSON.parse(at("bad_algorithm", "alg", "header")).headerKeys.join(), "alg", "bad_algorithm");
  eq(JSON.parse(at("malformed", null, "header")).segment, "header", "header padding");
  eq(JSON.parse(at("malformed")).segment, "token", "segments");
  eq(JSON.parse(at("no_credentials")).segment, "input", "header");
  eq(app.locateError({ code: "config" }), null, "config");
});

await test("humanDuration, b64urlBytes, fieldValue", async () => {
  eq(app.humanDuration(59), "59s", "s");
  eq(app.humanDuration(-252), "4m 12s", "m");
  eq(app.humanDuration(7380), "2h 3m", "h");
  eq(app.humanDuration(3 * 86400 + 4 * 3600), "3d 4h", "d");
  eq(Array.from(app.b64urlBytes("_-8")).join(), "255,239", "url alphabet");
  eq(app.b64urlBytes("abcde"), null, "bad length");
  eq(app.b64urlBytes("ab+c"), null, "std alphabet");
  eq(app.fieldValue("7"), 7, "number");
  eq(app.fieldValue('"7"'), "7", "json string");
  eq(app.fieldValue("abc"), "abc", "plain string");
  eq(app.fieldValue(""), undefined, "empty");
});

// --------------------------------------------------------------------- run
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn("python3", ["-m", "http.server", "--bind", "127.0.0.1", String(port), "--directory", path.join(ROOT, "www")], {
  stdio: ["ignore", "ignore", "ignore"],
});
let browser;
try {
  await waitHttp(`${base}/index.html`, 10000);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const requests = [];
  let loaded = false;
  const problems = [];
  page.on("request", (r) => requests.push({ url: r.url(), afterLoad: loaded }));
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });

  await test("page loads and the wasm engine initialises", async () => {
    await page.goto(`${base}/`, { waitUntil: "load" });
    await page.waitForFunction(() => document.documentElement.dataset.ready, null, { timeout: 15000 });
    eq(await page.evaluate(() => document.documentElement.dataset.ready), "1", "data-ready");
    const status = await page.textContent("#engine-status");
    assert(/ready/.test(status), `engine status ${status}`);
    await page.waitForTimeout(300); // anything still in flight counts as "load"
    loaded = true;
    await context.setOffline(true); // everything after this works offline
    await page.screenshot({ path: path.join(SHOTS, "empty.png"), fullPage: true });
  });

  await test("decodes a token before any settings are given", async () => {
    await pasteToken(page, VALID);
    await page.waitForSelector("#decoded:not([hidden])");
    eq(await page.textContent("#type-badge"), "authorization token", "type badge");
    const v = await verdict(page);
    eq(v.title, "Decoded, not verified", "verdict title");
  });

  await test("valid token + example settings and public keys → verified", async () => {
    await page.click("#load-example");
    const keyNames = await page.$$eval("#pem-list .key-name", (els) => els.map((e) => e.value));
    eq(keyNames.join(","), "myapp-20200410.pem,myapp-20180101.pem,test-only-ec-p256.pem,test-only-ed25519.pem,otherapp-2024.pem", "example key files");
    const pems = await page.$$eval("#pem-list .key-pem", (els) => els.map((e) => e.value).join("\n"));
    assert(!/PRIVATE KEY/.test(pems), "example public keys contain a private key");
    const v = await expectCode(page, "verified");
    eq(v.title, "verified", "title");
    const claims = await page.$$eval("#claims tbody tr", (trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.claim, tr.querySelector("td").textContent])));
    eq(claims.uid, "7", "uid");
    eq(claims.email, "ada@example.com", "email");
    eq(claims.sid, "3f1c2a9e-5b7d-4e10-9a8b-2c4d6e8f0a1b", "sid");
    eq(claims.scopes, "readwrite", "scopes chips");
    eq(claims.account, "42", "extra claim");
    const rel = await page.textContent('#times .time[data-claim="exp"] .time-rel');
    assert(/^expires in [45]m/.test(rel), `exp countdown: ${rel}`);
    const iat = await page.textContent('#times .time[data-claim="iat"] .time-date');
    eq(iat, new Date(NOW * 1000).toISOString().replace("T", " ").replace(/\.000Z$/, " UTC"), "iat date");
    await page.screenshot({ path: path.join(SHOTS, "verified.png"), fullPage: true });
  });

  await test("example keys (RSA, EC, Ed) live in the module with every algorithm", async () => {
    eq(await page.getAttribute("#keys-module", "data-module"), "all", "module");
  });

  await test("ES256 token (EC P-256 key) → verified", async () => {
    await pasteToken(page, ES256_TOKEN);
    await expectCode(page, "verified");
    const claims = await page.$$eval("#claims tbody tr", (trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.claim, tr.querySelector("td").textContent])));
    eq(claims.uid, "11", "uid");
    eq(JSON.parse(await page.textContent("#header-json")).alg, "ES256", "alg");
  });

  await test("EdDSA token (Ed25519 key) → verified; tampered → bad_signature", async () => {
    await pasteToken(page, EDDSA_TOKEN);
    await expectCode(page, "verified");
    eq(JSON.parse(await page.textContent("#header-json")).kid, "test-only-ed25519", "kid");
    await pasteToken(page, tamper(EDDSA_TOKEN));
    const v = await expectCode(page, "bad_signature");
    eq(v.detail, "Error decoding signature.", "detail");
  });

  await test("RSA-only keys (JWKS) live in the RSA-only module", async () => {
    await page.check("#key-mode-jwks");
    await page.fill("#jwks-input", RSA_JWKS);
    await page.waitForFunction(() => document.getElementById("keys-module").dataset.module === "rsa", null, { timeout: 5000 });
    await pasteToken(page, VALID);
    await expectCode(page, "verified");
    await pasteToken(page, ES256_TOKEN); // its kid names a file the JWKS does not hold
    await expectCode(page, "key_unavailable");
    await page.check("#key-mode-pem");
    await page.waitForFunction(() => document.getElementById("keys-module").dataset.module === "all", null, { timeout: 5000 });
    await pasteToken(page, VALID);
    await expectCode(page, "verified");
  });

  await test("live countdown ticks", async () => {
    const a = await page.textContent('#times .time[data-claim="exp"] .time-rel');
    await page.waitForFunction((x) => document.querySelector('#times .time[data-claim="exp"] .time-rel').textContent !== x, a, { timeout: 3000 });
  });

  await test("Authorization header line → verified", async () => {
    await pasteToken(page, `Authorization: JWT ${VALID}`);
    await expectCode(page, "verified");
    assert(/Authorization header/.test(await page.textContent("#input-kind")), "header mode not announced");
  });

  await test("other scheme → not a JWT header (DRF returns None)", async () => {
    await pasteToken(page, `Authorization: Bearer ${VALID}`);
    await page.waitForFunction(() => document.getElementById("verdict-title").textContent === "Not a JWT Authorization header", null, { timeout: 5000 });
  });

  await test("expired token → expired / Signature has expired., exp highlighted", async () => {
    await pasteToken(page, EXPIRED);
    const v = await expectCode(page, "expired");
    eq(v.detail, "Signature has expired.", "detail");
    eq(v.message, "Signature has expired", "message");
    eq(await page.getAttribute('#claims tbody tr.row-bad, #times .time-bad', "data-claim"), "exp", "highlighted claim");
    eq(await page.$$eval("#payload-json .j-bad", (l) => l.map((x) => x.dataset.key).join()), "exp", "payload JSON line");
    const rel = await page.textContent('#times .time[data-claim="exp"] .time-rel');
    assert(/^expired (11|1[0-2])m \d+s ago$/.test(rel), `expired countdown: ${rel}`);
    await page.screenshot({ path: path.join(SHOTS, "expired.png"), fullPage: true });
  });

  await test("tampered signature → bad_signature / Error decoding signature., signature highlighted", async () => {
    await pasteToken(page, TAMPERED);
    const v = await expectCode(page, "bad_signature");
    eq(v.detail, "Error decoding signature.", "detail");
    eq(v.message, "Signature verification failed", "message");
    eq(await page.$$eval("#token-view .seg-bad", (s) => s.map((x) => x.dataset.part).join()), "signature", "highlighted segment");
    await page.screenshot({ path: path.join(SHOTS, "tampered.png"), fullPage: true });
  });

  await test("untrusted issuer → untrusted_issuer, iss highlighted", async () => {
    await pasteToken(page, UNTRUSTED);
    const v = await expectCode(page, "untrusted_issuer");
    eq(v.detail, "Incorrect authentication credentials.", "detail");
    eq(v.message, "Invalid issuer", "message");
    eq(await page.$$eval("#claims tbody tr.row-bad", (r) => r.map((x) => x.dataset.claim).join()), "iss", "highlighted claim");
  });

  await test("bad payload padding → malformed, payload segment highlighted", async () => {
    await pasteToken(page, BAD_PADDING);
    const v = await page.waitForFunction(() => document.getElementById("verdict").dataset.state === "bad", null, { timeout: 5000 }).then(() => verdict(page));
    eq(v.code, "malformed", "code");
    assert(/payload/i.test(v.message), `message names the payload: ${v.message}`);
    eq(await page.$$eval("#token-view .seg-bad", (s) => s.map((x) => x.dataset.part).join()), "payload", "highlighted segment");
  });

  await test("missing sid → missing_claim, the where line names it", async () => {
    await pasteToken(page, NO_SID);
    const v = await page.waitForFunction(() => document.getElementById("verdict").dataset.state === "bad", null, { timeout: 5000 }).then(() => verdict(page));
    eq(v.code, "missing_claim", "code");
    eq(await page.textContent("#verdict-where"), "payload: sid", "where");
  });

  await test("session token is named as such and verifies", async () => {
    await pasteToken(page, SESSION);
    await expectCode(page, "verified");
    eq(await page.textContent("#type-badge"), "session token", "type badge");
    eq(await page.$('#times .time[data-claim="exp"]'), null, "session token without exp shows no exp");
  });

  await test("settings errors are reported, not thrown", async () => {
    const good = await page.inputValue("#settings-input");
    await page.fill("#settings-input", good.replace('"DECODE_ALGORITHMS": [', '"DECODE_ALGORITHMS": 5, "X": ['));
    await page.waitForSelector("#settings-error:not([hidden])", { timeout: 5000 });
    await page.fill("#settings-input", good);
    await page.waitForSelector("#settings-error", { state: "hidden", timeout: 5000 });
    await expectCode(page, "verified");
  });

  let minted = "";
  await test("mint panel: TEST ONLY key → auth token → inspector verifies it", async () => {
    await page.click("#mint-example");
    assert(await page.isVisible("#mint-key-note"), "TEST ONLY label shown");
    eq(await page.inputValue("#mint-key-name"), "myapp-20200410.pem", "key file");
    await page.fill("#mint-uid", "99");
    await page.fill("#mint-email", "minted@example.com");
    await page.fill("#mint-extra", '{"scopes": ["admin"], "account": 3}');
    await page.click("#mint-btn");
    await page.waitForSelector("#mint-result:not([hidden])", { timeout: 5000 });
    minted = await page.inputValue("#mint-output");
    assert(/^[\w-]+\.[\w-]+\.[\w-]+$/.test(minted), `minted token shape: ${minted}`);
    await page.screenshot({ path: path.join(SHOTS, "mint-panel.png"), fullPage: true });
    await page.click("#mint-send");
    await expectCode(page, "verified");
    eq(await page.inputValue("#token-input"), minted, "token sent to the inspector");
    const claims = await page.$$eval("#claims tbody tr", (trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.claim, tr.querySelector("td").textContent])));
    eq(claims.uid, "99", "uid");
    eq(claims.scopes, "admin", "scopes");
    await page.screenshot({ path: path.join(SHOTS, "minted-verified.png"), fullPage: true });
  });

  await test("minted token verifies with the native CLI too", async () => {
    const out = JSON.parse(cli("verify", "--settings", SETTINGS, "--now", String(Math.floor(Date.now() / 1000)), minted));
    eq(out.ok, true, "CLI verdict");
    eq(out.payload.uid, 99, "uid");
    eq(out.payload.account, 3, "account");
    eq(out.header.kid, "myapp-20200410", "kid");
  });

  await test("mint a session token", async () => {
    await page.selectOption("#mint-type", "session");
    await page.fill("#mint-extra", "");
    await page.click("#mint-btn");
    await page.click("#mint-send");
    await expectCode(page, "verified");
    eq(await page.textContent("#type-badge"), "session token", "type badge");
  });

  await test("minting with a wrong key file name reports the error", async () => {
    await page.fill("#mint-key-name", "nope.pem");
    await page.click("#mint-btn");
    await page.waitForSelector("#mint-error:not([hidden])", { timeout: 5000 });
    assert(/nope\.pem/.test(await page.textContent("#mint-error")), "error names the file");
    await page.fill("#mint-key-name", "myapp-20200410.pem");
    await page.click("#mint-btn");
    await page.waitForSelector("#mint-result:not([hidden])", { timeout: 5000 });
    assert(await page.isHidden("#mint-error"), "error cleared");
  });

  for (const [alg, settings, kid] of [["ES256", EC_SETTINGS, "test-only-ec-p256"], ["EdDSA", ED_SETTINGS, "test-only-ed25519"]]) {
    await test(`mint panel: ${alg} with its TEST ONLY key → inspector and CLI verify it`, async () => {
      await page.selectOption("#mint-type", "auth");
      await page.selectOption("#mint-alg", alg);
      await page.click("#mint-example");
      eq(await page.inputValue("#mint-key-name"), `${kid}.pem`, "key file");
      await page.fill("#mint-uid", "77");
      await page.click("#mint-btn");
      await page.waitForSelector("#mint-result:not([hidden])", { timeout: 5000 });
      assert(await page.isHidden("#mint-error"), "no mint error");
      const token = await page.inputValue("#mint-output");
      eq(JSON.parse(Buffer.from(token.split(".")[0], "base64url")).alg, alg, "alg");
      await page.click("#mint-send");
      await expectCode(page, "verified");
      const out = JSON.parse(cli("verify", "--settings", settings, "--now", String(Math.floor(Date.now() / 1000)), token));
      eq(out.ok, true, "CLI verdict");
      eq(out.header.kid, kid, "kid");
      eq(out.payload.uid, 77, "uid");
    });
  }

  await test("ES256 minting uses a fresh nonce; EdDSA is deterministic", async () => {
    // Two mints within one second sign the same header and payload: compare their signatures.
    const pair = async () => {
      for (let i = 0; i < 5; i++) {
        await page.click("#mint-btn");
        const a = await page.inputValue("#mint-output");
        await page.click("#mint-btn");
        const b = await page.inputValue("#mint-output");
        if (a.split(".").slice(0, 2).join(".") === b.split(".").slice(0, 2).join(".")) return [a, b];
      }
      throw new Error("no two mints within one second");
    };
    const [e1, e2] = await pair(); // EdDSA is still selected
    eq(e1, e2, "EdDSA tokens of the same payload");
    await page.selectOption("#mint-alg", "ES256");
    await page.click("#mint-example");
    const [s1, s2] = await pair();
    assert(s1 !== s2, "two ES256 signatures of the same payload are equal");
    await page.selectOption("#mint-alg", "");
    await page.click("#mint-example");
  });

  await test("every form control has a label", async () => {
    const unlabeled = await page.$$eval("input, textarea, select", (els) =>
      els.filter((e) => e.type !== "radio" && !e.labels.length && !e.getAttribute("aria-label") && e.type !== "hidden").map((e) => e.id || e.className));
    eq(unlabeled.join(), "", "unlabeled controls");
    const radios = await page.$$eval("input[type=radio]", (els) => els.every((e) => e.labels.length));
    assert(radios, "radio without label");
  });

  await test("keyboard: Tab reaches the token field, Clear, and the mint button", async () => {
    await page.keyboard.press("Escape");
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.evaluate(() => window.scrollTo(0, 0));
    const seen = [];
    for (let i = 0; i < 90; i++) {
      await page.keyboard.press("Tab");
      seen.push(await page.evaluate(() => document.activeElement.id || document.activeElement.tagName));
    }
    for (const id of ["token-clear", "token-input", "load-example", "settings-input", "mint-btn", "mint-send"]) {
      assert(seen.includes(id), `Tab never reached #${id}: ${seen.join(" ")}`);
    }
    assert(seen.indexOf("token-input") < seen.indexOf("settings-input"), "token field comes before the settings");
  });

  await test("phone width: no horizontal scrolling", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await pasteToken(page, EXPIRED);
    await expectCode(page, "expired");
    const { sw, iw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: window.innerWidth }));
    assert(sw <= iw, `page is ${sw}px wide in a ${iw}px viewport`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, "phone-top.png") });
    await page.screenshot({ path: path.join(SHOTS, "phone.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await test("no request left the page after load; all requests were to 127.0.0.1", async () => {
    const foreign = requests.filter((r) => !r.url.startsWith(`${base}/`) && !r.url.startsWith("data:"));
    eq(foreign.map((r) => r.url).join(" "), "", "requests to other hosts");
    const after = requests.filter((r) => r.afterLoad && !r.url.startsWith("data:"));
    eq(after.map((r) => r.url).join(" "), "", "requests after load");
    assert(requests.some((r) => /\.wasm$/.test(r.url) || /vendor\//.test(r.url)), "the engine was loaded from vendor/");
  });

  await test("no page errors or console errors", async () => {
    eq(problems.join("\n"), "", "errors");
  });

  if (process.env.UPDATE_SCREENSHOT === "1") {
    await page.setViewportSize({ width: 1200, height: 1040 });
    await pasteToken(page, VALID);
    await expectCode(page, "verified");
    await page.evaluate(() => {
      document.activeElement.blur();
      for (const t of document.querySelectorAll("textarea")) t.scrollTop = 0;
      window.scrollTo(0, 0);
    });
    await page.screenshot({ path: path.join(SHOTS, "readme.png") });
    copyFileSync(path.join(SHOTS, "readme.png"), path.join(ROOT, "www/screenshot.png"));
    try { // shrink it when pngquant is there (apt-get install pngquant)
      execFileSync("pngquant", ["--force", "--skip-if-larger", "--quality=70-95", "--output", path.join(ROOT, "www/screenshot.png"), path.join(SHOTS, "readme.png")]);
    } catch { /* keep the full PNG */ }
    console.log("updated www/screenshot.png");
  }
} catch (e) {
  failed++;
  console.log(`FAIL - harness: ${e && e.stack ? e.stack : e}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  try { process.kill(server.pid, "SIGTERM"); } catch { /* already gone */ }
}

console.log(`screenshots: ${SHOTS}`);
if (failures.length) console.log(`failed: ${failures.join("; ")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
