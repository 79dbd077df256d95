/* Live pages: changes made elsewhere (another station, the admin, the API, a sync) show up without a
   reload. A page marks what it shows with `data-live` (rendered by `{% live %}`):

     data-live="list"    data-live-kinds="tool"       the element's content is the list's result block;
                                                       it is fetched again (htmx partial) on such events
     data-live="detail"  data-live-object="tool:T-1"  one record; the page's <main> is fetched again, or,
                                                       while someone is typing in it, a notice offers a reload
     data-live="page"    data-live-kinds="tool lending" the whole <main> again (dashboard)
     data-live="events"  data-live-kinds="tool ..."   nothing by itself: the page's own script listens
                                                       to the `scandy:event` DOM event (QuickScan)

   One EventSource per page (`/api/events/stream`, scoped on the server to what the user may see);
   the browser reconnects by itself and resumes after the last event it got. Every sentence comes
   translated from the page (data-live-text-*); this file holds none. */
(function () {
  "use strict";

  const first = document.querySelector("[data-live]");
  if (!first || !("EventSource" in window)) return;

  const DEBOUNCE_MS = 250;
  const timers = new WeakMap();
  const running = new WeakMap();

  const url = new URL(first.getAttribute("data-live-stream"), window.location.href);
  const since = first.getAttribute("data-live-since");
  if (since) url.searchParams.set("since", since);
  const source = new EventSource(url.toString(), { withCredentials: true });

  source.addEventListener("message", (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch (err) {
      return;
    }
    document.querySelectorAll("[data-live]").forEach((element) => react(element, event));
    document.dispatchEvent(new CustomEvent("scandy:event", { detail: event }));
  });

  function words(element, name) {
    return (element.getAttribute(name) || "").split(/\s+/).filter(Boolean);
  }

  function kindOf(event) {
    return event.type.slice(0, event.type.lastIndexOf("."));
  }

  function listens(element, event) {
    return words(element, "data-live-kinds").includes(kindOf(event));
  }

  // "tool:T-1" names the record the page shows; a new barcode names the old one in previous_object_id.
  function concerns(element, event) {
    const target = element.getAttribute("data-live-object") || "";
    const cut = target.indexOf(":");
    if (cut < 0 || target.slice(0, cut) !== kindOf(event)) return false;
    const key = target.slice(cut + 1);
    return event.object_id === key || event.previous_object_id === key;
  }

  function react(element, event) {
    const mode = element.getAttribute("data-live");
    if (mode === "list" && listens(element, event)) {
      schedule(element, () => refreshList(element));
    } else if (mode === "detail" && concerns(element, event)) {
      const key = (element.getAttribute("data-live-object") || "").split(":").slice(1).join(":");
      if (event.type.endsWith(".deleted")) notice(element, "deleted");
      else if (event.object_id !== key) notice(element, "renamed", renamedUrl(key, event.object_id));
      else schedule(element, () => refreshMain(element));
    } else if ((mode === "detail" || mode === "page") && listens(element, event)) {
      schedule(element, () => refreshMain(element));
    }
  }

  // Several events in a burst (a lend is two, a sync many) cause one fetch; none runs twice at once.
  function schedule(element, refresh) {
    clearTimeout(timers.get(element));
    timers.set(
      element,
      setTimeout(async () => {
        if (running.get(element)) return schedule(element, refresh);
        running.set(element, true);
        try {
          await refresh();
        } catch (err) {
          /* offline for a moment: the next event tries again */
        } finally {
          running.set(element, false);
        }
      }, DEBOUNCE_MS),
    );
  }

  // --- is someone working in this part of the page? ------------------------------------------------------

  function changed(field) {
    if (["hidden", "submit", "button", "reset", "file"].includes(field.type)) return field.type === "file" && field.value !== "";
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") return Array.from(field.options).some((o) => o.selected !== o.defaultSelected);
    return field.value !== field.defaultValue;
  }

  function typing(region) {
    const active = document.activeElement;
    return Boolean(active && region.contains(active) && active.matches("input, textarea, select, [contenteditable]"));
  }

  function busy(region, { ignoreChecks = false } = {}) {
    if (typing(region)) return true;
    if (region.querySelector("details[open] form")) return true; // a form someone opened to fill in
    return Array.from(region.querySelectorAll("input, textarea, select")).some(
      (field) => !(ignoreChecks && field.type === "checkbox") && changed(field),
    );
  }

  // --- refreshing -----------------------------------------------------------------------------------------

  async function fetchPage(headers) {
    const response = await fetch(window.location.href, { credentials: "same-origin", headers: headers || {} });
    if (!response.ok || response.redirected) throw new Error("page moved");
    return response.text();
  }

  async function refreshList(element) {
    if (busy(element, { ignoreChecks: true })) return notice(element, "changed");
    const html = await fetchPage({ "HX-Request": "true" });
    if (busy(element, { ignoreChecks: true })) return notice(element, "changed");
    // Ticked rows (a label selection) stay ticked.
    const ticked = Array.from(element.querySelectorAll("input[type=checkbox]:checked")).map((box) => box.name + "=" + box.value);
    element.innerHTML = html;
    element.querySelectorAll("input[type=checkbox]").forEach((box) => {
      if (ticked.includes(box.name + "=" + box.value)) box.checked = true;
    });
    element.dispatchEvent(new CustomEvent("scandy:swapped", { bubbles: true }));
  }

  async function refreshMain(element) {
    const main = document.getElementById("main");
    if (!main || busy(main)) return notice(element, "changed");
    const html = await fetchPage();
    const fresh = new DOMParser().parseFromString(html, "text/html");
    const freshMain = fresh.getElementById("main");
    if (!freshMain) return;
    if (busy(main)) return notice(element, "changed");
    const scroll = window.scrollY;
    main.innerHTML = freshMain.innerHTML;
    if (fresh.title) document.title = fresh.title;
    window.scrollTo(0, scroll);
    main.dispatchEvent(new CustomEvent("scandy:swapped", { bubbles: true }));
  }

  function renamedUrl(oldKey, newKey) {
    const path = window.location.pathname;
    const encoded = encodeURIComponent(oldKey);
    return path.includes("/" + encoded + "/") ? path.replace("/" + encoded + "/", "/" + encodeURIComponent(newKey) + "/") : "";
  }

  // --- the notice -----------------------------------------------------------------------------------------

  function notice(element, reason, target) {
    let bar = document.querySelector("[data-live-notice]");
    if (!bar) {
      bar = document.createElement("div");
      bar.className = "live-notice";
      bar.setAttribute("data-live-notice", "");
      bar.setAttribute("role", "status");
      bar.setAttribute("aria-live", "polite");
      const text = document.createElement("span");
      text.className = "live-notice__text";
      const reload = document.createElement("button");
      reload.type = "button";
      reload.className = "btn btn-small btn-primary";
      reload.setAttribute("data-live-reload", "");
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "btn btn-small btn-ghost";
      dismiss.addEventListener("click", () => bar.remove());
      bar.append(text, reload, dismiss);
      document.body.appendChild(bar);
    }
    bar.querySelector(".live-notice__text").textContent = element.getAttribute("data-live-text-" + reason) || "";
    const reload = bar.querySelector("[data-live-reload]");
    reload.textContent = element.getAttribute("data-live-text-reload") || "↻";
    reload.hidden = reason !== "changed" && !target; // the old address of a deleted or renamed record is gone
    reload.onclick = () => (target ? window.location.assign(target) : window.location.reload());
    bar.querySelector(".btn-ghost").textContent = element.getAttribute("data-live-text-dismiss") || "×";
    bar.setAttribute("data-reason", reason);
  }
})();
