// The offline certificate verifier (/verify/scan): reads a certificate's QR code (camera, picture or pasted text)
// and checks its signed fragment on this device, against the issuer keys and the status list that the service
// worker keeps. Format (docs: README, "Signed QR code"): <register>/verify/<code>#1<base64url(body + signature)>;
// body = flag byte (1: windows-1256, 2: UTF-8) + fields joined by U+001F; signature = Ed25519 over
// "lms-cert-v1" US code US body. Every word shown comes from the page (#verifier-texts), none from here.
const root = document.getElementById("verifier");
const T = JSON.parse(document.getElementById("verifier-texts").textContent);
const locale = root.dataset.locale;
const timeZone = root.dataset.timezone;
const FIELDS = ["kid", "serial", "name_ar", "name_latin", "course_title_ar", "course_title_en", "issued", "expires",
                "status_index", "language"];
const STATUS = {1: "revoked", 2: "superseded"};
const US = 0x1f;
const encoder = new TextEncoder();
const state = {keys: new Map(), issuer: null, list: null, keysFetchedAt: null, listProblem: null, webcrypto: true};

const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, name) => values[name] ?? "");
const digits = (text) => locale === "ar" ? String(text).replace(/[0-9]/g, (d) => "٠١٢٣٤٥٦٧٨٩"[d]) : String(text);
const intlLocale = locale === "ar" ? "ar-EG-u-nu-arab" : "en-GB";

function b64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) { out.set(part, at); at += part.length; }
  return out;
}

function dayText(yyyymmdd) {
  const date = new Date(Date.UTC(+yyyymmdd.slice(0, 4), +yyyymmdd.slice(4, 6) - 1, +yyyymmdd.slice(6, 8)));
  return new Intl.DateTimeFormat(intlLocale, {day: "numeric", month: "long", year: "numeric", timeZone: "UTC"})
    .format(date);
}

function momentText(instant) {
  return new Intl.DateTimeFormat(intlLocale, {day: "numeric", month: "long", year: "numeric", hour: "2-digit",
                                              minute: "2-digit", hourCycle: "h23", timeZone}).format(instant);
}

function ageText(instant) {
  const seconds = Math.round((instant.getTime() - Date.now()) / 1000);
  const format = new Intl.RelativeTimeFormat(intlLocale, {numeric: "auto"});
  for (const [unit, size] of [["day", 86400], ["hour", 3600], ["minute", 60]]) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(0, "minute");
}

function today() {  // YYYYMMDD in the governorate's zone, as the payload's dates are
  const parts = new Intl.DateTimeFormat("en-CA", {timeZone, year: "numeric", month: "2-digit", day: "2-digit"})
    .formatToParts(new Date());
  const part = (type) => parts.find((p) => p.type === type).value;
  return part("year") + part("month") + part("day");
}

let noble = null;
async function ed25519Verify(key, signature, message) {
  if (state.webcrypto) {
    try {
      key.cryptoKey ??= await crypto.subtle.importKey("raw", key.raw, {name: "Ed25519"}, false, ["verify"]);
      return await crypto.subtle.verify({name: "Ed25519"}, key.cryptoKey, signature, message);
    } catch (error) {
      state.webcrypto = false;  // a browser without Ed25519 in WebCrypto: the bundled @noble/ed25519
    }
  }
  noble ??= await import(root.dataset.noble);
  try { return await noble.verifyAsync(signature, message, key.raw); } catch (error) { return false; }
}

async function fetched(url) {
  const response = await fetch(url, {credentials: "same-origin"});
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  const at = response.headers.get("X-Fetched-At");  // set by the service worker; absent: straight from the server
  return {response, fetchedAt: at ? new Date(at) : new Date()};
}

async function loadKeys() {
  const {response, fetchedAt} = await fetched(root.dataset.keys);
  const set = await response.json();
  for (const jwk of set.keys || []) {
    if (jwk.kty === "OKP" && jwk.crv === "Ed25519" && jwk.kid && jwk.x) {
      state.keys.set(jwk.kid, {raw: b64url(jwk.x), nbf: jwk.nbf, exp: jwk.exp});
    }
  }
  state.issuer = set.issuer || null;
  state.keysFetchedAt = fetchedAt;
}

async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function loadList() {
  const {response, fetchedAt} = await fetched(root.dataset.status);
  const jws = (await response.text()).trim();
  const [head, body, sig] = jws.split(".");
  const header = JSON.parse(new TextDecoder().decode(b64url(head)));
  const key = state.keys.get(header.kid);
  if (header.alg !== "EdDSA" || !key || !(await ed25519Verify(key, b64url(sig), encoder.encode(`${head}.${body}`)))) {
    state.listProblem = T.list_bad;
    return;
  }
  const payload = JSON.parse(new TextDecoder().decode(b64url(body)));
  const credential = payload.vc || payload;
  const encoded = credential.credentialSubject.encodedList;
  state.list = {bits: await gunzip(b64url(encoded.replace(/^u/, ""))), validFrom: new Date(credential.validFrom),
                validUntil: credential.validUntil ? new Date(credential.validUntil) : null, fetchedAt};
}

function listStatus(index) {  // 2 bits an entry, entry 0 in the first byte's most significant bits
  const bit = index * 2;
  const byte = state.list.bits[bit >> 3];
  return byte === undefined ? null : (byte >> (6 - (bit & 7))) & 3;
}

function showFreshness() {
  const keys = document.getElementById("keys-age");
  keys.textContent = state.keysFetchedAt
    ? fill(T.keys_age, {date: momentText(state.keysFetchedAt), age: ageText(state.keysFetchedAt)}) : T.no_keys;
  const list = document.getElementById("list-age");
  if (state.list) {
    list.textContent = fill(T.list_age, {date: momentText(state.list.validFrom), age: ageText(state.list.fetchedAt),
                                         next: state.list.validUntil ? momentText(state.list.validUntil) : "—"});
  } else {
    list.textContent = state.listProblem || T.no_list;
  }
}

function decode(text) {
  const url = new URL(text.trim());
  const code = decodeURIComponent(url.pathname.split("/").pop()).replace(/[^0-9A-Za-z]/g, "").toUpperCase();
  const fragment = url.hash.slice(1);
  if (!fragment.startsWith("1") || !code) return null;
  const bytes = b64url(fragment.slice(1));
  if (bytes.length < 66) return null;
  const body = bytes.slice(0, -64);
  const signature = bytes.slice(-64);
  const charset = body[0] === 1 ? "windows-1256" : body[0] === 2 ? "utf-8" : null;
  if (!charset) return null;
  const values = new TextDecoder(charset).decode(body.slice(1)).split(String.fromCharCode(US));
  if (values.length !== FIELDS.length) return null;
  const fields = Object.fromEntries(FIELDS.map((name, i) => [name, values[i]]));
  const message = concat(encoder.encode("lms-cert-v1\x1f" + code + "\x1f"), body);
  return {url, code, fields, signature, message};
}

async function check(text) {
  let decoded = null;
  try { decoded = decode(text); } catch (error) { decoded = null; }
  if (!decoded) return {verdict: "not_signed"};
  const key = state.keys.get(decoded.fields.kid);
  if (!key) return {verdict: "unknown", decoded};
  if (!(await ed25519Verify(key, decoded.signature, decoded.message))) return {verdict: "invalid", decoded};
  const {fields} = decoded;
  if (state.list) {
    const status = STATUS[listStatus(Number(fields.status_index))];
    if (status) return {verdict: status, decoded, listDate: state.list.validFrom};
  }
  if (fields.expires && today() >= fields.expires) return {verdict: "expired", decoded};
  return {verdict: "valid", decoded};
}

function bdi(text, lang) {
  const element = document.createElement("bdi");
  element.textContent = text;
  if (lang) element.lang = lang;
  return element;
}

function fact(list, label, ...content) {
  const row = document.createElement("div");
  const dt = document.createElement("dt");
  const dd = document.createElement("dd");
  dt.textContent = label;
  content.forEach((part, i) => { if (i) dd.append(" · "); dd.append(part); });
  row.append(dt, dd);
  list.append(row);
}

function render(result) {
  const box = document.getElementById("verdict");
  const {verdict, decoded} = result;
  box.replaceChildren();
  box.className = `verdict scan-verdict verdict-${verdict === "superseded" ? "revoked" : verdict}`;
  box.dataset.verdict = verdict;
  const title = document.createElement("h2");
  title.textContent = T[verdict];
  box.append(title);
  const note = (text) => { const p = document.createElement("p"); p.textContent = text; box.append(p); };
  if (verdict === "not_signed" || verdict === "no_qr") { box.hidden = false; return box; }
  if (verdict === "invalid") note(T.invalid_help);
  if (verdict === "unknown") note(T.unknown_help);
  if (verdict === "expired") note(fill(T.expired_since, {date: dayText(decoded.fields.expires)}));
  if (result.listDate) note(fill(T.per_list, {date: momentText(result.listDate)}));
  if (verdict !== "invalid" && verdict !== "unknown") {
    const f = decoded.fields;
    const facts = document.createElement("dl");
    facts.className = "cert-facts";
    const names = [bdi(f.name_ar, "ar")];
    if (f.name_latin) names[locale === "en" ? "unshift" : "push"](bdi(f.name_latin, "en"));
    fact(facts, T.name, ...names);
    const titles = [f.course_title_ar && bdi(f.course_title_ar, "ar"), f.course_title_en && bdi(f.course_title_en, "en")]
      .filter(Boolean);
    if (locale === "en") titles.reverse();
    fact(facts, T.course, ...titles);
    fact(facts, T.issued, dayText(f.issued));
    fact(facts, T.expires, f.expires ? dayText(f.expires) : T.never);
    const code = bdi(decoded.code.match(/.{1,4}/g).join("-"));
    code.dir = "ltr";
    fact(facts, T.code, code);
    const serial = bdi(f.serial);
    serial.dir = "ltr";
    fact(facts, T.serial, serial);
    if (state.issuer) fact(facts, T.issuer, bdi(locale === "ar" ? state.issuer.name_ar : state.issuer.name_en));
    box.append(facts);
  }
  const link = document.createElement("a");
  link.href = decoded.url.origin === location.origin ? decoded.url.pathname : "/verify";
  link.textContent = T.online;
  const p = document.createElement("p");
  p.append(link);
  box.append(p);
  box.hidden = false;
  return box;
}

async function checkAndShow(text) {
  (await checkAndShowTimed(text)).focus();
}

function qrFromPixels(source, width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d", {willReadFrequently: true});
  context.drawImage(source, 0, 0, width, height);
  const found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height,
                            {inversionAttempts: "dontInvert"});
  return found ? found.data : null;
}

async function readFile(file) {
  const started = performance.now();
  const picture = await createImageBitmap(file);
  const text = qrFromPixels(picture, picture.width, picture.height);
  const box = text ? (await checkAndShowTimed(text)) : render({verdict: "no_qr"});
  box.dataset.totalMs = (performance.now() - started).toFixed(1);
  box.focus();
}

async function checkAndShowTimed(text) {
  const started = performance.now();
  const box = render(await check(text));
  box.dataset.ms = (performance.now() - started).toFixed(1);
  return box;
}

let stream = null;
function stopCamera() {
  stream?.getTracks().forEach((track) => track.stop());
  stream = null;
  document.getElementById("camera-view").hidden = true;
  document.getElementById("camera-stop").hidden = true;
  document.getElementById("camera-start").hidden = false;
  document.getElementById("camera-message").textContent = "";
}

async function startCamera() {
  const message = document.getElementById("camera-message");
  const video = document.getElementById("camera-view");
  try {
    stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false});
  } catch (error) {
    message.textContent = T.camera_off;
    return;
  }
  video.srcObject = stream;
  video.hidden = false;
  document.getElementById("camera-start").hidden = true;
  document.getElementById("camera-stop").hidden = false;
  document.getElementById("camera-stop").focus();
  message.textContent = T.scanning;
  await video.play();
  const look = () => {
    if (!stream) return;
    const text = video.videoWidth ? qrFromPixels(video, video.videoWidth, video.videoHeight) : null;
    if (text) { stopCamera(); checkAndShow(text); } else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}

async function start() {
  document.getElementById("camera-start").addEventListener("click", startCamera);
  document.getElementById("camera-stop").addEventListener("click", stopCamera);
  document.getElementById("qr-file").addEventListener("change", (event) => {
    if (event.target.files[0]) readFile(event.target.files[0]);
  });
  document.getElementById("qr-paste-form").addEventListener("submit", (event) => {
    event.preventDefault();
    checkAndShow(document.getElementById("qr-text").value);
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.worker, {scope: "/verify/"}).catch(() => {});
  }
  try { await loadKeys(); } catch (error) { /* offline and never fetched: said below */ }
  try { await loadList(); } catch (error) { state.listProblem ??= null; }
  showFreshness();
  root.dataset.ready = "true";
}

start();
