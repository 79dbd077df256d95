/* Week editor: live totals while typing an entry, the start time taken from the day's last entry, and the
   "+" of each day choosing that day in the form. The page works without this file. */
(function () {
  "use strict";

  function clock(value) {
    var match = /^(\d{1,2}):(\d{2})/.exec(value || "");
    return match ? parseInt(match[1], 10) * 60 + parseInt(match[2], 10) : null;
  }

  function hm(minutes) {
    return Math.floor(minutes / 60) + ":" + String(minutes % 60).padStart(2, "0");
  }

  function field(form, name) {
    return form.querySelector('[name="' + name + '"]');
  }

  // Worked minutes of the entry being typed: to − from − break, or the hours; null while incomplete.
  function entryMinutes(form) {
    var start = clock(field(form, "start_time").value);
    var end = clock(field(form, "end_time").value);
    var pause = parseInt(field(form, "break_minutes").value || "0", 10) || 0;
    if (start !== null && end !== null) {
      return end > start ? Math.max(end - start - pause, 0) : null;
    }
    var hours = parseFloat((field(form, "hours").value || "").replace(",", "."));
    return isNaN(hours) ? null : Math.round(hours * 60);
  }

  function dayCard(form) {
    var day = field(form, "day");
    return day ? document.querySelector('.day-card[data-day="' + day.value + '"]') : null;
  }

  function refresh(form) {
    var preview = form.querySelector("[data-entry-preview]");
    var warning = form.querySelector('[data-preview="warning"]');
    if (!preview) return;
    var minutes = entryMinutes(form);
    if (minutes === null) {
      preview.hidden = true;
      if (warning) warning.hidden = true;
      return;
    }
    var card = dayCard(form);
    var week = document.querySelector("[data-week-minutes]");
    var dayTotal = (card ? parseInt(card.getAttribute("data-day-minutes"), 10) : 0) + minutes;
    var weekTotal = (week ? parseInt(week.getAttribute("data-week-minutes"), 10) : 0) + minutes;
    var texts = { entry: hm(minutes), day: hm(dayTotal), week: hm(weekTotal) };
    Object.keys(texts).forEach(function (key) {
      var output = preview.querySelector('[data-preview="' + key + '"]');
      if (output) output.textContent = texts[key] + " h";
    });
    preview.classList.toggle("is-over", dayTotal > 24 * 60);
    if (warning) warning.hidden = dayTotal <= 24 * 60;
    preview.hidden = false;
  }

  // A new entry starts where the day's last one ended (until the person types a start of their own).
  function prefillStart(form) {
    var start = field(form, "start_time");
    var card = dayCard(form);
    if (!start || !card || (start.value && !start.hasAttribute("data-autofilled"))) return;
    var last = card.getAttribute("data-last-end") || "";
    start.value = last;
    if (last) start.setAttribute("data-autofilled", "");
    else start.removeAttribute("data-autofilled");
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-entry-form]");
    if (!form) return;
    if (event.target.name === "start_time") event.target.removeAttribute("data-autofilled");
    refresh(form);
  });

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-entry-form]");
    if (!form) return;
    if (event.target.name === "day" && form.closest("#add-entry")) prefillStart(form);
    refresh(form);
  });

  // "+" on a day: choose that day in the form and go there, without reloading the page.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-add-day]");
    var form = document.querySelector("#add-entry form[data-entry-form]");
    if (!link || !form) return;
    event.preventDefault();
    field(form, "day").value = link.getAttribute("data-add-day");
    prefillStart(form);
    refresh(form);
    form.scrollIntoView({ block: "start" });
    var start = field(form, "start_time");
    (start.value ? field(form, "end_time") : start).focus();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-entry-form]").forEach(function (form) {
      if (form.closest("#add-entry") && !form.querySelector(".has-error")) prefillStart(form);
      refresh(form);
    });
  });
})();
