/* QuickScan: one field for every barcode. Keyboard-wedge scanners type fast and press Enter;
   touch users type or tap. The server says what a barcode is (POST /api/scan); the page asks only
   for what is still missing and then lends, returns or issues. Every sentence shown comes translated
   from the page (#qs-text); this file holds none. */
(function () {
  "use strict";
  const root = document.getElementById("quickscan");
  if (!root) return;

  const $ = (sel) => root.querySelector(sel);
  const field = $("#qs-barcode");
  const form = $("#qs-form");
  const feedback = $("#qs-feedback");
  const dueDate = $("#qs-due-date");
  const quantityBox = $("#qs-quantity-box");
  const quantity = $("#qs-quantity");
  const continuous = $("#qs-continuous");
  const returnedBox = $("#qs-returned");
  const returnedCount = $("#qs-returned-count");
  const returnedList = $("#qs-returned-list");
  const slots = { item: $("#qs-item"), worker: $("#qs-worker") };
  const text = JSON.parse(document.getElementById("qs-text").textContent);
  const state = { tool: null, lending: null, consumable: null, worker: null, busy: false };
  const MODE_KEY = "scandy.quickscan.continuous";
  const RETURNED_KEY = "scandy.quickscan.returned";
  let resetTimer = null;
  let returned = [];

  // "%(name)s lent to %(worker)s": the placeholders of the server's (Python-style) messages.
  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, (match, key) => (key in values ? String(values[key]) : match));
  }

  function formatDate(iso) {
    const [year, month, day] = iso.split("-").map(Number);
    return new Date(year, month - 1, day).toLocaleDateString(document.documentElement.lang || undefined);
  }

  // Storage can be missing or refused (private windows, kiosk policies); the page works without it.
  function load(storage, key, fallback) {
    try {
      const raw = storage.getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (err) {
      return fallback;
    }
  }

  function store(storage, key, value) {
    try {
      storage.setItem(key, JSON.stringify(value));
    } catch (err) {
      /* not remembered, nothing else lost */
    }
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function api(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: JSON.stringify(body),
      });
    } catch (err) {
      throw new Error(text.network_error);
    }
    let payload;
    try {
      payload = await response.json();
    } catch (err) {
      payload = { status: "error", message: text.network_error };
    }
    if (!response.ok || payload.status !== "success") {
      const error = new Error(payload.message || text.network_error);
      error.code = payload.code;
      throw error;
    }
    return payload;
  }

  function say(kind, message) {
    feedback.className = "qs-feedback qs-feedback--" + kind;
    feedback.textContent = message;
    feedback.setAttribute("data-state", kind);
  }

  function labelled(obj, name) {
    return fmt(text.labelled, { name: name, barcode: obj.barcode });
  }

  function render() {
    const item = state.tool || state.consumable;
    const value = slots.item.querySelector(".qs-slot-value");
    const detail = slots.item.querySelector(".qs-slot-detail");
    slots.item.classList.toggle("qs-slot--filled", Boolean(item));
    slots.worker.classList.toggle("qs-slot--filled", Boolean(state.worker));
    if (state.tool) {
      value.textContent = labelled(state.tool, state.tool.name);
      detail.textContent = state.lending
        ? fmt(text.lent_to, { worker: state.lending.worker_name, due: formatDate(state.lending.due_date) })
        : text.status[state.tool.status];
    } else if (state.consumable) {
      const c = state.consumable;
      value.textContent = labelled(c, c.name);
      detail.textContent = fmt(text.in_stock, { stock: c.current_stock, unit: c.unit });
    } else {
      value.textContent = text.scan_item;
      detail.textContent = "";
    }
    slots.worker.querySelector(".qs-slot-value").textContent = state.worker
      ? labelled(state.worker, fmt(text.worker_name, state.worker))
      : text.scan_worker;
    quantityBox.hidden = !(state.consumable && state.worker);
  }

  function renderReturned() {
    returnedBox.hidden = !continuous.checked;
    returnedCount.textContent = fmt(text.returned_count, { count: returned.length });
    returnedList.replaceChildren(
      ...returned.map((entry) => {
        const li = document.createElement("li");
        li.textContent = entry.line;
        li.setAttribute("data-barcode", entry.barcode);
        return li;
      }),
    );
  }

  // Ready for the next person: nothing scanned, quantity 1, the default due date again.
  function reset() {
    state.tool = state.lending = state.consumable = state.worker = null;
    quantity.value = "1";
    dueDate.value = dueDate.defaultValue;
    render();
    field.focus();
  }

  function resetSoon() {
    clearTimeout(resetTimer);
    resetTimer = setTimeout(() => {
      reset();
      say("idle", continuous.checked ? text.continuous_on : text.ready);
    }, 4000);
  }

  async function lend() {
    const body = { tool_barcode: state.tool.barcode, worker_barcode: state.worker.barcode };
    if (dueDate.value) body.due_date = dueDate.value;
    const result = await api("/api/lending/process", body);
    say("success", result.message);
    reset();
    resetSoon();
  }

  async function giveBack() {
    const tool = state.tool;
    const result = await api("/api/lending/return", { tool_barcode: tool.barcode });
    say("success", result.message);
    if (continuous.checked) {
      const line = fmt(text.returned_line, { tool: labelled(tool, tool.name), worker: result.data.worker_name });
      returned.unshift({ barcode: tool.barcode, line: line });
      store(window.sessionStorage, RETURNED_KEY, returned);
      renderReturned();
    }
    reset();
    resetSoon();
  }

  async function issue() {
    const amount = parseInt(quantity.value, 10);
    if (!(amount >= 1)) {
      say("error", text.quantity_invalid);
      quantity.focus();
      return;
    }
    const result = await api("/api/lending/process", {
      consumable_barcode: state.consumable.barcode,
      worker_barcode: state.worker.barcode,
      quantity: amount,
    });
    say("success", result.message);
    reset();
    resetSoon();
  }

  async function next() {
    if (state.tool && state.lending) return giveBack();
    if (state.tool && continuous.checked) {
      say("error", text.not_lent_continuous);
      state.tool = null;
      render();
      return;
    }
    const refusal = state.tool && text.not_lendable[state.tool.status];
    if (refusal) {
      // Defective or in maintenance: said at once, before anyone scans a worker card for it.
      say("error", fmt(refusal, { tool: state.tool.name }));
      state.tool = null;
      render();
      return;
    }
    if (state.tool && state.worker) return lend();
    if (state.consumable && state.worker) {
      quantity.focus();
      quantity.select();
      say("info", text.ask_quantity);
      return;
    }
    say("info", state.worker ? text.ask_item : text.ask_worker);
  }

  async function handleScan(barcode) {
    clearTimeout(resetTimer);
    const result = await api("/api/scan", { barcode: barcode });
    const data = result.data;
    if (data.type === "worker") {
      state.worker = data.worker;
    } else if (data.type === "tool") {
      state.tool = data.tool;
      state.lending = data.lending;
      state.consumable = null;
      if (state.lending) state.worker = null;
    } else {
      state.consumable = data.consumable;
      state.tool = state.lending = null;
    }
    render();
    await next();
  }

  async function guarded(fn) {
    if (state.busy) return;
    state.busy = true;
    root.setAttribute("aria-busy", "true");
    try {
      await fn();
    } catch (err) {
      say("error", err.message);
      if (err.code === "UNKNOWN_BARCODE") {
        render();
      } else {
        reset();
      }
    } finally {
      state.busy = false;
      root.removeAttribute("aria-busy");
      if (document.activeElement !== quantity) field.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const barcode = field.value.trim();
    field.value = "";
    if (!barcode) {
      if (state.consumable && state.worker) guarded(issue);
      return;
    }
    guarded(() => handleScan(barcode));
  });

  quantity.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      guarded(issue);
    }
  });
  $("#qs-issue").addEventListener("click", () => guarded(issue));
  $("#qs-reset").addEventListener("click", () => {
    clearTimeout(resetTimer);
    reset();
    say("idle", continuous.checked ? text.continuous_on : text.ready);
  });
  continuous.addEventListener("change", () => {
    store(window.localStorage, MODE_KEY, continuous.checked);
    if (continuous.checked) {
      // A new round of returns starts a new list.
      returned = [];
      store(window.sessionStorage, RETURNED_KEY, returned);
    }
    renderReturned();
    reset();
    say("idle", continuous.checked ? text.continuous_on : text.ready);
  });
  $("#qs-returned-clear").addEventListener("click", () => {
    returned = [];
    store(window.sessionStorage, RETURNED_KEY, returned);
    renderReturned();
    field.focus();
  });
  root.addEventListener("click", (event) => {
    // Taps elsewhere on the page must not steal the scanner's focus.
    if (!event.target.closest("input, button, select, label, a")) field.focus();
  });

  // Optional camera scanning (html5-qrcode, served from static/vendor). Decoded codes take the
  // same path as typed ones; a short pause stops one code being read many times in a row.
  const cameraButton = $("#qs-camera-toggle");
  const cameraBox = $("#qs-camera");
  let camera = null;
  let lastCode = "";
  let lastAt = 0;
  if (cameraButton && window.Html5Qrcode) {
    cameraButton.hidden = false;
    cameraButton.addEventListener("click", async () => {
      if (camera) {
        await camera.stop().catch(() => {});
        camera = null;
        cameraBox.hidden = true;
        cameraButton.setAttribute("aria-pressed", "false");
        return;
      }
      cameraBox.hidden = false;
      camera = new window.Html5Qrcode("qs-camera");
      cameraButton.setAttribute("aria-pressed", "true");
      try {
        await camera.start({ facingMode: "environment" }, { fps: 10, qrbox: { width: 280, height: 140 } }, (code) => {
          const now = Date.now();
          if (code === lastCode && now - lastAt < 2500) return;
          lastCode = code;
          lastAt = now;
          guarded(() => handleScan(code));
        });
      } catch (err) {
        say("error", text.camera_error);
        camera = null;
        cameraBox.hidden = true;
        cameraButton.setAttribute("aria-pressed", "false");
      }
    });
  }

  // Live updates (live.js): a tool or worker shown here that was changed elsewhere in the meantime (lent at
  // another station, marked defective, deactivated) is dropped, so the next step works on what is true
  // now; a consumable's stock is simply shown afresh.
  document.addEventListener("scandy:event", (event) => {
    const change = event.detail;
    const kind = change.type.slice(0, change.type.lastIndexOf("."));
    const shown = { tool: state.tool, consumable: state.consumable, worker: state.worker }[kind];
    if (!shown || state.busy || ![change.object_id, change.previous_object_id].includes(shown.barcode)) return;
    if (kind === "consumable" && !change.type.endsWith(".deleted")) {
      guarded(async () => {
        const result = await api("/api/scan", { barcode: change.object_id });
        if (result.data.type === "consumable" && state.consumable === shown) state.consumable = result.data.consumable;
        render();
      });
      return;
    }
    if (kind === "tool") state.tool = state.lending = null;
    else if (kind === "worker") state.worker = null;
    else state.consumable = null;
    render();
    say("error", fmt(text.changed_elsewhere, { name: shown.name || fmt(text.worker_name, shown) }));
  });

  continuous.checked = load(window.localStorage, MODE_KEY, false) === true;
  returned = continuous.checked ? load(window.sessionStorage, RETURNED_KEY, []) : [];
  if (!Array.isArray(returned)) returned = [];
  returned = returned.filter((entry) => entry && typeof entry.line === "string" && typeof entry.barcode === "string");
  render();
  renderReturned();
  say("idle", continuous.checked ? text.continuous_on : text.ready);
  field.focus();
})();
