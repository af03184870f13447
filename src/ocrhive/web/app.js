// The playground: sends a file through this server's Aspose-style API (token, submit, poll)
// and shows what came back. Plain browser APIs only; every request goes to this server.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  //: the parts of a combined resultType, in the order the API spells them (TextAndPdfAndHocr)
  const PARTS = ["Text", "Pdf", "Hocr"];
  //: how each result item is offered for download: media type, file suffix, link text
  const DOWNLOADS = {
    Text: ["text/plain;charset=utf-8", "txt", "Text"],
    Pdf: ["application/pdf", "pdf", "Searchable PDF"],
    Hocr: ["text/html;charset=utf-8", "hocr.html", "hOCR"],
    JSON: ["application/json", "json", "JSON"],
    ImagePNG: ["image/png", "png", "Page image (PNG)"],
  };
  const FINAL = new Set(["Completed", "Error", "NotExist"]);
  const state = { file: null, urls: [], jobs: [], ticker: 0 };

  /** A failure already put in words for the person using the page. */
  class Problem extends Error {}

  // ---- small helpers ----------------------------------------------------------------------
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

  function toBase64(bytes) {
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  function fromBase64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  const utf8 = (bytes) => new TextDecoder("utf-8").decode(bytes);
  const isPdf = (bytes) => bytes.length > 4 && utf8(bytes.subarray(0, 4)) === "%PDF";

  function objectUrl(bytes, type) {
    const url = URL.createObjectURL(new Blob([bytes], { type }));
    state.urls.push(url);
    return url;
  }

  function size(n) {
    return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(0)} kB` : `${(n / 1048576).toFixed(1)} MB`;
  }

  function show(id, nodes) {
    const el = $(id);
    el.replaceChildren(...nodes);
    el.hidden = nodes.length === 0;
  }

  function para(text, cls) {
    const p = document.createElement("p");
    p.textContent = text;
    if (cls) p.className = cls;
    return p;
  }

  // ---- talking to the server --------------------------------------------------------------
  /** An HTTP refusal in words: a problem document's detail and field errors, a token error,
   *  or the bare status line, plus when to try again. */
  async function refusal(response) {
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    let words = `${response.status} ${response.statusText}`.trim();
    if (body && typeof body.error === "string") {
      const known = { invalid_client: "the client id or secret was not accepted" };
      words = `${known[body.error] || body.error}${body.error_description ? ` (${body.error_description})` : ""}`;
    } else if (body && (body.detail || body.title)) {
      words = body.detail || body.title;
      for (const [field, messages] of Object.entries(body.errors || {})) {
        words += ` ${field}: ${[].concat(messages).join(" ")}`;
      }
    }
    const retry = response.headers.get("Retry-After");
    return `HTTP ${response.status}: ${words}${retry ? ` Try again in ${retry} s.` : ""}`;
  }

  async function call(url, options, what) {
    let response;
    try {
      response = await fetch(url, options);
    } catch (err) {
      throw new Problem(`${what}: the server could not be reached (${err.message}).`);
    }
    if (!response.ok) throw new Problem(`${what} was refused. ${await refusal(response)}`);
    return response;
  }

  async function fetchToken(clientId, secret) {
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: secret });
    const response = await call("/connect/token", { method: "POST", body: form }, "Getting an access token");
    return (await response.json()).access_token;
  }

  function headers(token) {
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  /** Queue one task and follow it until it ends; its envelope. */
  async function run(job, request) {
    const body = JSON.stringify({ image: request.image, settings: { ...request.settings, resultType: job.resultType } });
    const url = `/v5.0/ocr/${request.family}`;
    job.status = "Sending";
    job.started = performance.now();
    drawStatus();
    const submitted = await call(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers(request.token) },
      body,
    }, `Submitting (${job.label})`);
    job.id = (await submitted.text()).trim();
    job.status = "Pending";
    drawStatus();
    for (;;) {
      // the server holds each GET until the task ends or its wait runs out
      const response = await call(`${url}?id=${encodeURIComponent(job.id)}`, { headers: headers(request.token) }, `Asking for task ${job.id}`);
      const envelope = await response.json();
      job.status = envelope.taskStatus;
      drawStatus();
      if (FINAL.has(envelope.taskStatus)) return envelope;
      await sleep(400);
    }
  }

  // ---- the page ---------------------------------------------------------------------------
  function drawStatus() {
    const lines = state.jobs.map((job) => {
      const seconds = job.started ? ((job.ended || performance.now()) - job.started) / 1000 : 0;
      const li = document.createElement("li");
      li.dataset.status = job.status;
      li.textContent = `${job.label}: ${job.status}${job.id ? ` (task ${job.id})` : ""}, ${seconds.toFixed(1)} s`;
      return li;
    });
    const list = document.createElement("ul");
    list.replaceChildren(...lines);
    show("status", lines.length ? [list] : []);
  }

  function settingsFromForm() {
    const settings = { language: $("language").value };
    if ($("dsr-mode").value) settings.dsrMode = $("dsr-mode").value;
    for (const flag of ["makeSkewCorrect", "makeBinarization", "makeContrastCorrection", "makeUpsampling", "makeSpellCheck"]) {
      settings[flag] = $(flag).checked;
    }
    return settings;
  }

  function reset() {
    for (const url of state.urls) URL.revokeObjectURL(url);
    state.urls = [];
    state.jobs = [];
    for (const id of ["status", "problems", "warnings", "downloads"]) show(id, []);
    $("page-view").hidden = true;
    $("text-view").hidden = true;
    $("boxes").replaceChildren();
  }

  function offerDownloads(items, stem) {
    const links = items.map(({ type, bytes }) => {
      const [media, suffix, name] = DOWNLOADS[type] || ["application/octet-stream", "bin", type];
      const a = document.createElement("a");
      a.href = objectUrl(bytes, media);
      a.download = `${stem}.${suffix}`;
      a.dataset.kind = type;
      a.className = "download";
      a.textContent = `${name} (${size(bytes.length)})`;
      return a;
    });
    show("downloads", links.length ? [para("Download:", "label"), ...links] : []);
  }

  function textFromDocument(doc) {
    return doc.pages.map((page) => page.blocks.map((b) => b.text).join("\n\n")).join("\f");
  }

  function showText(text) {
    $("text").textContent = text.replace(/\f/g, "\n\n──────── next page ────────\n\n");
    $("text-view").hidden = false;
  }

  /** The uploaded image's size, or null when this browser cannot show it (TIFF, JPEG 2000). */
  async function loadImage(url) {
    const img = $("page-image");
    img.src = url;
    try {
      await img.decode();
      return { width: img.naturalWidth, height: img.naturalHeight };
    } catch (_) {
      return null;
    }
  }

  function drawBoxes(page) {
    const boxes = [];
    for (const block of page.blocks) {
      for (const line of block.lines) {
        for (const word of line.words) {
          const box = document.createElement("div");
          box.className = word.confidence < 60 ? "box low" : "box";
          box.style.left = `${(100 * word.topLeftX) / page.width}%`;
          box.style.top = `${(100 * word.topLeftY) / page.height}%`;
          box.style.width = `${(100 * (word.bottomRightX - word.topLeftX)) / page.width}%`;
          box.style.height = `${(100 * (word.bottomRightY - word.topLeftY)) / page.height}%`;
          box.dataset.word = word.text;
          box.dataset.confidence = word.confidence.toFixed(1);
          box.setAttribute("aria-label", `${word.text}, confidence ${box.dataset.confidence} %`);
          boxes.push(box);
        }
      }
    }
    $("boxes").replaceChildren(...boxes);
    return boxes.length;
  }

  function onHover(event) {
    const tip = $("tip");
    const box = event.target.closest(".box");
    if (!box) {
      tip.hidden = true;
      return;
    }
    tip.textContent = `${box.dataset.word} — confidence ${box.dataset.confidence} %`;
    tip.style.left = box.style.left;
    tip.style.top = `calc(${box.style.top} + ${box.style.height})`;
    tip.hidden = false;
  }

  /** Draws page 1's word boxes over the image they were measured on: the upload when it is
   *  the same picture, else the preprocessed page (deskewed, rotated, or a PDF's first page),
   *  asked for as one more ImagePNG task. */
  async function showPage(doc, request, uploadUrl) {
    const page = doc.pages[0];
    if (!page) return;
    let note = "Your image";
    const upload = request.pdf ? null : await loadImage(uploadUrl);
    const same = upload && page.rotation === 0 && Math.abs(page.skew) < 0.01
      && Math.abs(upload.width / upload.height - page.width / page.height) < 0.01;
    if (!same) {
      const job = { label: "page image", resultType: "ImagePNG" };
      state.jobs.push(job);
      const envelope = await run(job, request);
      job.ended = performance.now();
      drawStatus();
      const png = (envelope.results || []).find((r) => r.type === "ImagePNG");
      if (!png) throw new Problem("The page image could not be made, so the word boxes are not shown.");
      const bytes = fromBase64(png.data);
      await loadImage(objectUrl(bytes, "image/png"));
      request.extra.push({ type: "ImagePNG", bytes });
      note = "The page as the server read it";
      if (page.skew) note += ` (straightened by ${page.skew.toFixed(1)}°)`;
      if (page.rotation) note += ` (turned by ${page.rotation}°)`;
    }
    const count = drawBoxes(page);
    const pages = doc.pages.length > 1 ? ` Page 1 of ${doc.pages.length} shown.` : "";
    $("page-note").textContent = `${note}, with ${count} word boxes. Hover over a box for the word and its confidence.${pages}`;
    $("page-view").hidden = false;
  }

  async function recognize(event) {
    event.preventDefault();
    reset();
    const problems = [];
    const button = $("run");
    button.disabled = true;
    document.body.dataset.state = "running";
    state.ticker = setInterval(drawStatus, 250);
    try {
      if (!state.file) throw new Problem("Choose an image or a PDF first.");
      const bytes = new Uint8Array(await state.file.arrayBuffer());
      const pdf = isPdf(bytes);
      const clientId = $("client-id").value.trim();
      const secret = $("client-secret").value;
      if (Boolean(clientId) !== Boolean(secret)) {
        throw new Problem("Give both the client id and the client secret, or neither to use the trial.");
      }
      if (pdf && !clientId) {
        throw new Problem("PDFs are read by RecognizePdf, which needs a client id and secret: the trial reads images only. Enter them under Access (an operator creates them with `ocrhive clients add NAME`).");
      }
      const parts = PARTS.filter((p) => $(`want-${p}`).checked);
      const wantJson = $("want-JSON").checked;
      if (!parts.length && !wantJson) throw new Problem("Pick at least one result.");
      const token = clientId ? await fetchToken(clientId, secret) : null;
      const family = !token ? "RecognizeImageTrial" : pdf ? "RecognizePdf" : "RecognizeImage";
      const request = { family, token, pdf, image: toBase64(bytes), settings: settingsFromForm(), extra: [] };
      // one task per result type the API can combine, the JSON (boxes) as a task of its own
      if (parts.length) state.jobs.push({ label: parts.join(" + "), resultType: parts.join("And") });
      if (wantJson) state.jobs.push({ label: "JSON", resultType: "JSON" });
      const envelopes = await Promise.all(state.jobs.map(async (job) => {
        const envelope = await run(job, request);
        job.ended = performance.now();
        return envelope;
      }));
      const items = [];
      const warnings = new Set();
      for (const envelope of envelopes) {
        if (envelope.taskStatus === "NotExist") {
          problems.push(`Task ${envelope.id} no longer exists (deleted, expired, or another client's).`);
        }
        for (const m of (envelope.error && envelope.error.messages) || []) problems.push(m);
        for (const w of (envelope.error && envelope.error.warnings) || []) warnings.add(w);
        for (const r of envelope.results || []) items.push({ type: r.type, bytes: fromBase64(r.data) });
      }
      show("warnings", [...warnings].map((w) => para(w, "warning")));
      const stem = state.file.name.replace(/\.[^.]*$/, "") || "result";
      offerDownloads(items, stem);
      const text = items.find((i) => i.type === "Text");
      const json = items.find((i) => i.type === "JSON");
      const doc = json ? JSON.parse(utf8(json.bytes)) : null;
      if (text) showText(utf8(text.bytes));
      else if (doc) showText(textFromDocument(doc));
      if (doc) {
        await showPage(doc, request, objectUrl(bytes, state.file.type || "application/octet-stream"));
        if (request.extra.length) offerDownloads(items.concat(request.extra), stem);
      }
      if (family === "RecognizeImageTrial") {
        warnings.add("Trial: about one word in ten is masked with *. Enter a client id and secret for complete results.");
        show("warnings", [...warnings].map((w) => para(w, "warning")));
      }
    } catch (err) {
      problems.push(err instanceof Problem ? err.message : `Something went wrong in this page: ${err}`);
    } finally {
      clearInterval(state.ticker);
      drawStatus();
      show("problems", problems.map((p) => para(p, "problem")));
      button.disabled = false;
      document.body.dataset.state = "done";
    }
  }

  // ---- set-up -----------------------------------------------------------------------------
  function choose(file) {
    if (!file) return;
    state.file = file;
    $("file-name").textContent = `${file.name} (${size(file.size)})`;
    $("drop").classList.add("chosen");
  }

  async function loadLanguages() {
    const select = $("language");
    try {
      const response = await fetch("/v5.0/ocrhive/languages");
      if (!response.ok) throw new Error(String(response.status));
      const { languages } = await response.json();
      const group = (label, list) => {
        const g = document.createElement("optgroup");
        g.label = label;
        g.replaceChildren(...list.map((l) => new Option(l.name, l.name)));
        return g;
      };
      const installed = languages.filter((l) => l.installed);
      select.replaceChildren(
        group("Installed on this server", installed),
        group("Not installed (the task will say what to install)", languages.filter((l) => !l.installed)),
      );
      select.value = installed.some((l) => l.name === "English") ? "English" : (installed[0] || languages[0]).name;
      $("language-note").textContent = `${installed.length} of ${languages.length} languages have a model on this server.`;
    } catch (_) {
      $("language-note").textContent = "The server did not say which languages are installed.";
    }
  }

  function start() {
    const drop = $("drop");
    $("file").addEventListener("change", (e) => choose(e.target.files[0]));
    drop.addEventListener("dragover", (e) => {
      e.preventDefault();
      drop.classList.add("over");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      choose(e.dataTransfer.files[0]);
    });
    drop.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") $("file").click();
    });
    $("request").addEventListener("submit", recognize);
    $("boxes").addEventListener("mouseover", onHover);
    $("boxes").addEventListener("mouseleave", () => { $("tip").hidden = true; });
    loadLanguages();
  }

  start();
})();
