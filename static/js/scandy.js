/* Small progressive enhancements of the Scandy pages; every page also works without this file. */
(function () {
  "use strict";

  // Styles for what only makes sense with a script (e.g. "select all") key off this class.
  document.documentElement.classList.add("js");

  // Label selection on the lists: "select all" box, a count on the print button, no empty sheet.
  function refreshSelection(form) {
    var boxes = form.querySelectorAll('input[type="checkbox"][name="barcode"]');
    var checked = form.querySelectorAll('input[type="checkbox"][name="barcode"]:checked').length;
    var all = form.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
    form.querySelectorAll("[data-selection-count]").forEach(function (count) {
      count.textContent = checked ? "(" + checked + ")" : "";
    });
    form.querySelectorAll("[data-selection-button]").forEach(function (button) {
      button.disabled = checked === 0;
    });
    form.querySelectorAll("tr[data-barcode]").forEach(function (row) {
      var box = row.querySelector('input[name="barcode"]');
      row.classList.toggle("is-selected", Boolean(box && box.checked));
    });
  }

  function refreshAllSelections(root) {
    (root || document).querySelectorAll("form[data-label-selection]").forEach(refreshSelection);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.closest) return;

    // Header switchers (department, language) submit as soon as a choice is made.
    var autosubmit = target.closest("form[data-autosubmit]");
    if (autosubmit) {
      if (autosubmit.requestSubmit) autosubmit.requestSubmit();
      else autosubmit.submit();
      return;
    }

    var selection = target.closest("form[data-label-selection]");
    if (selection) {
      if (target.hasAttribute("data-select-all")) {
        selection.querySelectorAll('input[type="checkbox"][name="barcode"]').forEach(function (box) {
          box.checked = target.checked;
        });
      }
      refreshSelection(selection);
    }
  });

  // Forms that destroy something ask first (the text comes translated from the page).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // The ticket form shows the order details only for category "order" (without script they always show).
  function refreshOrderFields(form) {
    var category = form.querySelector('select[name="category"]');
    form.querySelectorAll("[data-order-fields]").forEach(function (fields) {
      fields.hidden = Boolean(category) && category.value !== "order";
    });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form");
    if (form && event.target.name === "category" && form.querySelector("[data-order-fields]")) refreshOrderFields(form);
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-order-fields]")) refreshOrderFields(form);
    });
    refreshAllSelections(document);
  });
  // The live filter (htmx) and live updates (live.js) replace the result block, selection form included.
  document.addEventListener("htmx:afterSwap", function (event) {
    refreshAllSelections(event.target);
  });
  document.addEventListener("scandy:swapped", function (event) {
    refreshAllSelections(event.target);
    event.target.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-order-fields]")) refreshOrderFields(form);
    });
  });
})();
