// drf-sso-jwt token inspector. No framework, no network after load: the engine
// (the drf-sso-jwt wasm package, copied to vendor/ by build.sh) and the bundled
// examples (examples/examples.js, also written by build.sh) are loaded at start-up.
"use strict";

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

let sso = null;            // the package module
let examples = null;       // bundled example settings / keys, or null
let verifier = null;       // current Verifier, or null
let configError = null;    // {code, detail, message} of the last Verifier construction
let lastVerdictKey = "";
let current = null;        // last analysis of the token field

// ---------------------------------------------------------------- pure helpers

/** Split the token field into {kind, token, headerValue}. kind: empty | token | header. */
export function parseInput(raw) {
  const text = raw.replace(/^\s+|\s+$/g, "");
  if (!text) return { kind: "empty", token: "", headerValue: null };
  const m = /^authorization\s*:[ \t]*([\s\S]*)$/i.exec(text);
  if (m) {
    const value = m[1];
    return { kind: "header", token: tokenOfHeader(value), headerValue: value };
  }
  const first = text.split(/\s/, 1)[0];
  if (first.length < text.length && !first.includes(".")) {
    // "JWT eyJ…": a header value without the field name
    return { kind: "header", token: tokenOfHeader(text), headerValue: text };
  }
  return { kind: "token", token: text, headerValue: null };
}

function tokenOfHeader(value) {
  const parts = value.trim().split(/\s+/);
  return parts.length >= 2 ? parts[1] : "";
}

/** base64url → Uint8Array, or null when it is not valid base64url. */
export function b64urlBytes(s) {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null;
  let b = s.replace(/-/g, "+").replace(/_/g, "/");
  while (b.length % 4) b += "=";
  try {
    const bin = atob(b);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/** Best-effort JSON of one segment, for display only when the engine cannot decode. */
export function segmentJson(seg) {
  const bytes = b64urlBytes(seg);
  if (!bytes) return { error: "not base64url" };
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { error: "not UTF-8" };
  }
  try {
    return { value: JSON.parse(text), text };
  } catch {
    return { error: "not JSON", text };
  }
}

/** Which part of the token an error points at. */
export function locateError(err) {
  if (!err) return null;
  // The core says where: `segment` (header / payload / signature) and `claim` (the payload
  // claim or header parameter), or neither when the failure concerns the whole token.
  const { code, claim, segment } = err;
  if (segment === "payload") return { segment, claims: claim ? [claim] : [], headerKeys: [] };
  if (segment === "header") return { segment, claims: [], headerKeys: claim ? [claim] : [] };
  if (segment === "signature") return { segment, claims: [], headerKeys: [] };
  switch (code) {
    case "no_credentials":
    case "token_has_spaces":
    case "invalid_characters":
      return { segment: "input", claims: [], headerKeys: [] };
    case "config":
    case "bad_clock":
    case "sign":
    case undefined:
      return null;
    default:
      return { segment: "token", claims: [], headerKeys: [] };
  }
}

/** "4m 12s", "2h 3m", "3d 4h" */
export function humanDuration(seconds) {
  let s = Math.abs(Math.round(seconds));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

function toNumber(v) {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "bigint") return Number(v);
  return null;
}

function fmtDate(sec) {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return "out of range";
  return d.toISOString().replace("T", " ").replace(/\.000Z$/, " UTC").replace(/Z$/, " UTC");
}

/** Value of a mint field: JSON when it parses, else the string (as the CLI does). */
export function fieldValue(text) {
  if (text === "") return undefined; // left to the package: required → error, optional → ""
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function jsonText(v) {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? Number(x) : x));
}

function errInfo(e) {
  if (e && typeof e === "object" && "code" in e) {
    return {
      code: String(e.code),
      detail: e.detail ? String(e.detail) : "",
      message: String(e.message || ""),
      claim: e.claim ?? null,
      segment: e.segment ?? null,
    };
  }
  return { code: "error", detail: "", message: String((e && e.message) || e) };
}

// ------------------------------------------------------------------- clock

function nowSeconds() {
  if ($("fixed-now").checked) {
    const v = Number($("now-input").value);
    if (Number.isFinite(v)) return Math.floor(v);
  }
  return Math.floor(Date.now() / 1000);
}

// ---------------------------------------------------------------- JSON view

/** Render a JSON value into `pre` with colour spans; keys in `bad` are marked. */
function renderJson(pre, value, bad = []) {
  pre.textContent = "";
  const badSet = new Set(bad.filter(Boolean));
  const write = (v, indent, parent) => {
    if (v === null) return parent.append(el("span", "j-null", "null"));
    if (Array.isArray(v)) {
      if (!v.length) return parent.append("[]");
      parent.append("[\n");
      v.forEach((x, i) => {
        parent.append(" ".repeat(indent + 2));
        write(x, indent + 2, parent);
        parent.append(i < v.length - 1 ? ",\n" : "\n");
      });
      return parent.append(" ".repeat(indent) + "]");
    }
    if (typeof v === "object" && !(v instanceof Map)) {
      const keys = Object.keys(v);
      if (!keys.length) return parent.append("{}");
      parent.append("{\n");
      keys.forEach((k, i) => {
        const line = el("span", badSet.has(k) && indent === 0 ? "j-line j-bad" : "j-line");
        line.dataset.key = k;
        line.append(" ".repeat(indent + 2), el("span", "j-key", JSON.stringify(k)), ": ");
        write(v[k], indent + 2, line);
        if (i < keys.length - 1) line.append(",");
        parent.append(line, "\n");
      });
      return parent.append(" ".repeat(indent) + "}");
    }
    if (typeof v === "string") return parent.append(el("span", "j-str", JSON.stringify(v)));
    if (typeof v === "number" || typeof v === "bigint") return parent.append(el("span", "j-num", String(v)));
    if (typeof v === "boolean") return parent.append(el("span", "j-bool", String(v)));
    return parent.append(String(v));
  };
  write(value, 0, pre);
}

// -------------------------------------------------------------- key editor

function addKeyRow(name = "", pem = "") {
  const list = $("pem-list");
  const n = list.children.length + 1;
  const li = el("li", "pem-item");
  const idName = `key-name-${crypto.randomUUID ? crypto.randomUUID().slice(0, 8) : Math.random().toString(36).slice(2)}`;
  const idPem = idName.replace("key-name", "key-pem");
  const head = el("div", "pem-head");
  const lab = el("label", "field-label", "File name");
  lab.htmlFor = idName;
  const nameIn = el("input", "mono key-name");
  nameIn.type = "text";
  nameIn.id = idName;
  nameIn.value = name;
  nameIn.spellcheck = false;
  nameIn.autocomplete = "off";
  nameIn.placeholder = `key${n}.pem`;
  const rm = el("button", "btn btn-ghost btn-small btn-remove", "Remove");
  rm.type = "button";
  rm.addEventListener("click", () => {
    const next = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    renumber();
    scheduleVerifier();
    (next ? next.querySelector("input") : $("add-key")).focus();
  });
  head.append(lab, nameIn, rm);
  const pemLab = el("label", "visually-hidden", "PEM");
  pemLab.htmlFor = idPem;
  const ta = el("textarea", "mono key-pem");
  ta.id = idPem;
  ta.rows = 4;
  ta.spellcheck = false;
  ta.autocomplete = "off";
  ta.placeholder = "-----BEGIN PUBLIC KEY-----";
  ta.value = pem;
  li.append(head, pemLab, ta);
  list.append(li);
  renumber();
  for (const x of [nameIn, ta]) x.addEventListener("input", scheduleVerifier);
  return li;
}

function renumber() {
  [...$("pem-list").children].forEach((li, i) => {
    li.querySelector(".btn-remove").setAttribute("aria-label", `Remove key file ${i + 1}`);
    li.querySelector(".key-pem").previousElementSibling.textContent = `PEM of key file ${i + 1}`;
  });
}

function keyMaterial() {
  if ($("key-mode-jwks").checked) {
    const text = $("jwks-input").value.trim();
    if (!text) return { keys: [] };
    return JSON.parse(text);
  }
  const out = {};
  for (const li of $("pem-list").children) {
    const name = li.querySelector(".key-name").value.trim();
    const pem = li.querySelector(".key-pem").value;
    if (name) out[name] = pem;
  }
  return out;
}

// --------------------------------------------------------------- verifier

let verifierTimer = 0;
let tokenTimer = 0;

function scheduleVerifier() {
  clearTimeout(verifierTimer);
  verifierTimer = setTimeout(rebuildVerifier, 200);
}

function scheduleToken() {
  clearTimeout(tokenTimer);
  tokenTimer = setTimeout(analyze, 150);
}

function rebuildVerifier() {
  if (verifier) {
    try { verifier.free(); } catch { /* already freed */ }
  }
  verifier = null;
  configError = null;
  $("keys-module").textContent = "";
  $("keys-module").dataset.module = "";
  const settingsText = $("settings-input").value.trim();
  const se = $("settings-error");
  se.hidden = true;
  $("settings-input").removeAttribute("aria-invalid");
  if (sso && settingsText) {
    let settings;
    try {
      settings = JSON.parse(settingsText);
    } catch (e) {
      configError = { code: "config", detail: "Invalid configuration.", message: `settings are not JSON: ${e.message}` };
    }
    let keys;
    if (!configError) {
      try {
        keys = keyMaterial();
      } catch (e) {
        configError = { code: "config", detail: "Invalid configuration.", message: `JWKS is not JSON: ${e.message}` };
      }
    }
    if (!configError) {
      try {
        verifier = new sso.Verifier(settings, keys);
      } catch (e) {
        configError = errInfo(e);
      }
    }
    if (settings) $("mint-key-name").placeholder = defaultPrivateKeyName(settings) || "from PRIVATE_KEYS";
    const where = { rsa: "the RSA-only WebAssembly module", all: "the WebAssembly module with every algorithm (EC/Ed keys)", sign: "the signing module" };
    $("keys-module").textContent = verifier ? `Keys loaded into ${where[verifier.module] || verifier.module}.` : "";
    $("keys-module").dataset.module = verifier ? verifier.module : "";
    if (configError) {
      se.textContent = `${configError.code}: ${configError.message}`;
      se.hidden = false;
      $("settings-input").setAttribute("aria-invalid", "true");
    }
  }
  lastVerdictKey = "";
  analyze();
}

// --------------------------------------------------------------- analysis

function decodeToken(token) {
  const segs = token.split(".");
  let header = null;
  let payload = null;
  let decodeError = null;
  if (sso && token) {
    try {
      const d = sso.decode(token);
      header = d.header;
      payload = d.payload;
    } catch (e) {
      decodeError = errInfo(e);
    }
  }
  if (!header && segs.length >= 2) {
    const h = segmentJson(segs[0]);
    if (h.value && typeof h.value === "object") header = h.value;
    const p = segmentJson(segs[1]);
    if (p.value && typeof p.value === "object") payload = p.value;
  }
  return { segs, header, payload, decodeError };
}

function analyze() {
  const input = parseInput($("token-input").value);
  current = { raw: $("token-input").value, input, ...decodeToken(input.token) };
  renderInputKind(input);
  renderDecoded(current);
  updateVerdict(true);
}

function evaluate() {
  const { input } = current;
  if (!sso) return { state: "idle", title: "Loading the verification engine…" };
  if (input.kind === "empty") return { state: "idle", title: "Waiting for a token", note: "Paste a token above, or mint one below." };
  const now = nowSeconds();
  if (!verifier) {
    if (configError) {
      return { state: "warn", title: "Settings or keys are invalid", err: configError, note: "Fix the settings to verify the token; it is decoded without verification below." };
    }
    if (current.decodeError) return { state: "bad", title: "Cannot decode", err: current.decodeError };
    return { state: "idle", title: "Decoded, not verified", note: "Add the REST_FRAMEWORK_SSO settings and public keys (or “Load example”) to verify." };
  }
  try {
    if (input.kind === "header") {
      const r = verifier.authenticate(input.headerValue, now);
      if (r === null || r === undefined) {
        return { state: "warn", title: "Not a JWT Authorization header", note: "DRF's JWTAuthentication returns None for this header (other scheme or empty): the next authenticator is tried." };
      }
    } else {
      verifier.verify(input.token, now);
    }
    return { state: "ok", title: "verified", note: input.kind === "header" ? "JWTAuthentication.authenticate accepts this header." : "The Django server would accept this token." };
  } catch (e) {
    return { state: "bad", title: "rejected", err: errInfo(e) };
  }
}

function updateVerdict(force) {
  if (!current) return;
  const v = evaluate();
  $("verdict").analyzedInput = current.raw; // lets tests wait for this very input
  const key = JSON.stringify([v.state, v.title, v.err, v.note]);
  if (!force && key === lastVerdictKey) return;
  lastVerdictKey = key;
  const box = $("verdict");
  box.className = `verdict verdict-${v.state}`;
  box.dataset.state = v.state;
  box.dataset.code = v.err ? v.err.code : v.state === "ok" ? "verified" : "";
  $("verdict-title").textContent = v.title;
  $("verdict-note").textContent = v.note || "";
  const fields = $("verdict-fields");
  fields.hidden = !v.err;
  const where = v.err && v.state === "bad" ? locateError(v.err) : null;
  if (v.err) {
    $("verdict-code").textContent = v.err.code;
    $("verdict-detail").textContent = v.err.detail;
    $("verdict-message").textContent = v.err.message;
  }
  const whereText = describeWhere(where);
  $("verdict-where").textContent = whereText;
  $("verdict-where").hidden = $("verdict-where-label").hidden = !whereText;
  applyHighlight(where);
}

function describeWhere(w) {
  if (!w) return "";
  if (w.segment === "signature") return "signature";
  if (w.segment === "token") return "whole token";
  if (w.segment === "input") return "Authorization header";
  const names = (w.segment === "header" ? w.headerKeys : w.claims).filter(Boolean);
  return names.length ? `${w.segment}: ${names.join(", ")}` : w.segment;
}

function applyHighlight(where) {
  const view = $("token-view");
  for (const s of view.querySelectorAll(".seg")) s.classList.toggle("seg-bad", !!where && (where.segment === s.dataset.part || where.segment === "token"));
  $("token-input").classList.toggle("input-bad", !!where && where.segment === "input");
  const badClaims = where ? where.claims.filter(Boolean) : [];
  const badHeader = where ? where.headerKeys : [];
  for (const tr of document.querySelectorAll("#claims tbody tr")) tr.classList.toggle("row-bad", badClaims.includes(tr.dataset.claim));
  for (const line of document.querySelectorAll("#payload-json > .j-line")) line.classList.toggle("j-bad", badClaims.includes(line.dataset.key));
  for (const line of document.querySelectorAll("#header-json > .j-line")) line.classList.toggle("j-bad", badHeader.includes(line.dataset.key));
  for (const t of document.querySelectorAll("#times .time")) t.classList.toggle("time-bad", badClaims.includes(t.dataset.claim));
}

// -------------------------------------------------------------- rendering

function renderInputKind(input) {
  $("input-kind").textContent = input.kind === "header"
    ? "Read as an Authorization header: checked like JWTAuthentication.authenticate."
    : "";
}

function renderDecoded(c) {
  const view = $("token-view");
  view.textContent = "";
  const show = c.input.kind !== "empty" && c.input.token;
  view.hidden = $("token-legend").hidden = !show;
  if (show) {
    const names = ["header", "payload", "signature"];
    c.segs.forEach((s, i) => {
      if (i) view.append(el("span", "dot", "."));
      const span = el("span", `seg seg-${names[i] || "extra"}`, s || "∅");
      span.dataset.part = names[i] || "extra";
      view.append(span);
    });
  }
  const dec = $("decoded");
  const has = show && (c.header || c.payload);
  dec.hidden = !has;
  if (!has) return;
  renderJson($("header-json"), c.header ?? "(not decodable)");
  renderJson($("payload-json"), c.payload ?? "(not decodable)");
  const p = c.payload && typeof c.payload === "object" ? c.payload : {};
  const badge = $("type-badge");
  const t = p.token;
  badge.className = "badge";
  if (t === "session") { badge.textContent = "session token"; badge.classList.add("badge-session"); }
  else if (t === "auth") { badge.textContent = "authorization token"; badge.classList.add("badge-auth"); }
  else if (t === undefined) { badge.textContent = "no token type"; badge.classList.add("badge-unknown"); }
  else { badge.textContent = `unknown type ${jsonText(t)}`; badge.classList.add("badge-unknown"); }
  badge.dataset.type = typeof t === "string" ? t : "";

  // times
  const times = $("times");
  times.textContent = "";
  for (const [claim, label] of [["iat", "issued"], ["nbf", "not before"], ["exp", "expires"]]) {
    if (!(claim in p)) continue;
    const box = el("div", "time");
    box.dataset.claim = claim;
    box.append(el("div", "time-label", `${label} (${claim})`));
    const n = toNumber(p[claim]);
    box.append(el("div", "time-date mono", n === null ? jsonText(p[claim]) : fmtDate(n)));
    const rel = el("div", "time-rel");
    rel.dataset.sec = n === null ? "" : String(n);
    box.append(rel);
    times.append(box);
  }
  times.hidden = !times.children.length;
  tickTimes();

  // claims
  const tbody = $("claims").querySelector("tbody");
  tbody.textContent = "";
  const main = ["token", "sid", "uid", "email", "cid", "scopes", "iss", "aud"];
  const order = [...main.filter((k) => k in p), ...Object.keys(p).filter((k) => !main.includes(k) && !["iat", "exp", "nbf"].includes(k))];
  for (const k of order) {
    const tr = el("tr");
    tr.dataset.claim = k;
    const th = el("th", "mono", k);
    th.scope = "row";
    const td = el("td", "mono");
    const v = p[k];
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) {
      if (!v.length) td.append(el("span", "muted", "[] (none)"));
      for (const x of v) td.append(el("span", "chip", x));
    } else {
      if (v === "") td.append(el("span", "muted", '"" (empty)'));
      else td.textContent = typeof v === "string" ? v : jsonText(v);
    }
    if (!main.includes(k)) th.append(el("span", "extra-tag", "extra"));
    tr.append(th, td);
    tbody.append(tr);
  }
  $("claims").hidden = !order.length;
}

function tickTimes() {
  const now = nowSeconds();
  for (const box of document.querySelectorAll("#times .time")) {
    const rel = box.querySelector(".time-rel");
    if (rel.dataset.sec === "") { rel.textContent = "not a number"; continue; }
    const t = Number(rel.dataset.sec);
    const d = t - now;
    const claim = box.dataset.claim;
    let text;
    let state = "neutral";
    if (claim === "exp") {
      if (d > 0) { text = `expires in ${humanDuration(d)}`; state = d < 60 ? "soon" : "good"; }
      else { text = `expired ${humanDuration(d)} ago`; state = "past"; }
    } else if (claim === "iat") {
      text = d > 0 ? `issued in the future (in ${humanDuration(d)})` : `issued ${humanDuration(d)} ago`;
      if (d > 0) state = "soon";
    } else {
      text = d > 0 ? `not valid for another ${humanDuration(d)}` : `valid since ${humanDuration(d)} ago`;
      if (d > 0) state = "soon";
    }
    rel.textContent = text;
    rel.dataset.state = state;
  }
}

function tickClock() {
  const now = nowSeconds();
  $("clock-text").textContent = `${$("fixed-now").checked ? "Fixed" : "Live"} clock: ${now} (${fmtDate(now)})`;
}

// --------------------------------------------------------------------- mint

function mint() {
  const err = $("mint-error");
  err.hidden = true;
  $("mint-result").hidden = true;
  const fail = (m) => {
    err.textContent = m;
    err.hidden = false;
  };
  let settings;
  try {
    settings = JSON.parse($("settings-input").value);
  } catch (e) {
    return fail(`settings are not JSON: ${e.message}`);
  }
  // The server reads only PRIVATE_KEYS[IDENTITY] when it signs; this package's Issuer wants
  // every file PRIVATE_KEYS names, so the other issuers' entries are left out here.
  if (settings && typeof settings === "object" && settings.PRIVATE_KEYS && typeof settings.PRIVATE_KEYS === "object" &&
      settings.IDENTITY in settings.PRIVATE_KEYS) {
    settings = { ...settings, PRIVATE_KEYS: { [settings.IDENTITY]: settings.PRIVATE_KEYS[settings.IDENTITY] } };
  }
  const alg = $("mint-alg").value;
  const wanted = defaultPrivateKeyName(settings);
  const name = $("mint-key-name").value.trim() || wanted;
  if (!name) return fail("No private key file name: set IDENTITY and PRIVATE_KEYS in the settings.");
  if (alg) {
    // A server configured to sign with this algorithm and this file.
    if (!settings || typeof settings !== "object" || typeof settings.IDENTITY !== "string") return fail("Set IDENTITY in the settings first.");
    settings = { ...settings, ENCODE_ALGORITHM: alg, PRIVATE_KEYS: { [settings.IDENTITY]: name } };
  } else if (wanted && name !== wanted) {
    return fail(`PRIVATE_KEYS[${JSON.stringify(settings.IDENTITY)}] is ${JSON.stringify(wanted)}: the server signs with that file, not ${JSON.stringify(name)}.`);
  }
  if (!$("mint-key").value.trim()) return fail("Paste the private key (PEM) of that file first.");
  let extra = {};
  const extraText = $("mint-extra").value.trim();
  if (extraText) {
    try {
      extra = JSON.parse(extraText);
    } catch (e) {
      return fail(`extra claims are not JSON: ${e.message}`);
    }
    if (!extra || typeof extra !== "object" || Array.isArray(extra)) return fail("extra claims must be a JSON object");
  }
  const subject = {
    sid: fieldValue($("mint-sid").value.trim()),
    uid: fieldValue($("mint-uid").value.trim()),
    email: fieldValue($("mint-email").value.trim()),
    cid: fieldValue($("mint-cid").value.trim()),
  };
  const now = nowSeconds();
  let issuer = null;
  try {
    issuer = new sso.Issuer(settings, { [name]: $("mint-key").value });
    const payload = buildPayload($("mint-type").value, subject, extra, now);
    const token = issuer.encode(payload, now);
    $("mint-output").value = token;
    $("mint-result").hidden = false;
    $("mint-copied").textContent = "";
  } catch (e) {
    const i = errInfo(e);
    fail(`${i.code}: ${i.message}`);
  } finally {
    if (issuer) try { issuer.free(); } catch { /* ignore */ }
  }
}

function defaultPrivateKeyName(settings) {
  const pk = settings && settings.PRIVATE_KEYS;
  const id = settings && settings.IDENTITY;
  if (!pk || !id || !(id in pk)) return "";
  const v = pk[id];
  return Array.isArray(v) ? v[0] || "" : v;
}

/** The payload the server builds, via the package's builders. */
function buildPayload(type, subject, extra, now) {
  return type === "session"
    ? sso.createSessionPayload(subject, now, extra)
    : sso.createAuthorizationPayload(subject, extra);
}

// -------------------------------------------------------------- examples

function loadExample() {
  if (!examples) return;
  $("settings-input").value = JSON.stringify(examples.settings, null, 2);
  $("key-mode-pem").checked = true;
  syncKeyMode();
  $("pem-list").textContent = "";
  for (const [name, pem] of Object.entries(examples.publicKeys)) addKeyRow(name, pem);
  for (const t of document.querySelectorAll("#settings-input, #pem-list textarea")) t.scrollTop = 0;
  rebuildVerifier();
}

function loadMintExample() {
  if (!examples) return;
  if (!$("settings-input").value.trim()) loadExample();
  // The TEST ONLY key of the chosen algorithm (RSA for the settings' own, RS256 and PS256).
  const key = examples.testPrivateKeys[$("mint-alg").value] || examples.testPrivateKeys[""];
  $("mint-key-name").value = key.name;
  $("mint-key").value = key.pem;
  $("mint-key-note").hidden = false;
}

function syncKeyMode() {
  const jwks = $("key-mode-jwks").checked;
  $("jwks-editor").hidden = !jwks;
  $("pem-editor").hidden = jwks;
}

// ------------------------------------------------------------------ wiring

function wire() {
  $("token-input").addEventListener("input", scheduleToken);
  $("token-clear").addEventListener("click", () => {
    $("token-input").value = "";
    analyze();
    $("token-input").focus();
  });
  $("settings-input").addEventListener("input", scheduleVerifier);
  $("jwks-input").addEventListener("input", scheduleVerifier);
  for (const r of document.querySelectorAll('input[name="key-mode"]')) {
    r.addEventListener("change", () => { syncKeyMode(); scheduleVerifier(); });
  }
  $("add-key").addEventListener("click", () => addKeyRow().querySelector("input").focus());
  $("fixed-now").addEventListener("change", () => {
    $("now-input").disabled = !$("fixed-now").checked;
    if ($("fixed-now").checked && !$("now-input").value) $("now-input").value = String(Math.floor(Date.now() / 1000));
    tickClock();
    analyze();
  });
  $("now-input").addEventListener("input", () => { tickClock(); scheduleToken(); });
  $("load-example").addEventListener("click", loadExample);
  $("mint-example").addEventListener("click", loadMintExample);
  $("mint-key").addEventListener("input", () => { $("mint-key-note").hidden = true; });
  // With a TEST ONLY key loaded, another algorithm takes its TEST ONLY key.
  $("mint-alg").addEventListener("change", () => { if (!$("mint-key-note").hidden) loadMintExample(); });
  $("mint-btn").addEventListener("click", mint);
  $("mint-send").addEventListener("click", () => {
    $("token-input").value = $("mint-output").value;
    analyze();
    $("token-input").focus();
    $("token-input").scrollIntoView({ block: "start", behavior: "smooth" });
  });
  $("mint-copy").addEventListener("click", async () => {
    const out = $("mint-output");
    try {
      await navigator.clipboard.writeText(out.value);
      $("mint-copied").textContent = "Copied.";
    } catch {
      out.select();
      $("mint-copied").textContent = "Selected: press Ctrl+C to copy.";
    }
  });
  setInterval(() => {
    tickClock();
    tickTimes();
    if (!$("fixed-now").checked) updateVerdict(false);
  }, 1000);
  if (!$("mint-sid").value) $("mint-sid").value = crypto.randomUUID ? crypto.randomUUID() : "00000000-0000-4000-8000-000000000000";
  addKeyRow();
  tickClock();
  analyze();
}

async function start() {
  wire();
  const status = $("engine-status");
  try {
    // vendor/sso.js (generated by build.sh) exports the package's API, initialised.
    sso = (await import("./vendor/sso.js")).default;
    // The verify module with every algorithm too, now: EC/Ed keys need it, and after start-up
    // the page makes no request (RSA-only key stores stay in the small module).
    if (typeof sso.init === "function") await sso.init({ algorithms: "all" });
    status.textContent = sso.version ? `engine ${sso.version} ready` : "engine ready";
    status.className = "pill pill-ok";
    $("mint-btn").disabled = !sso.Issuer;
  } catch (e) {
    sso = null;
    status.textContent = "engine failed to load";
    status.className = "pill pill-bad";
    status.title = String(e && e.message ? e.message : e);
    console.error(e);
  }
  try {
    examples = (await import("./examples/examples.js")).default;
    $("load-example").disabled = false;
    $("mint-example").disabled = false;
  } catch {
    examples = null;
    $("load-example").title = "run www/build.sh to bundle the examples";
  }
  rebuildVerifier();
  document.documentElement.dataset.ready = sso ? "1" : "error";
}

if (typeof document !== "undefined") start();
