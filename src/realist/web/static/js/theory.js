// The theory board's forms: choosing a topic suggests a free identifier in its style
// ("25", "N9"), unless the reviewer has typed one of their own.
"use strict";

(function () {
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.dataset.nextFor) return;
    var field = document.getElementById(select.dataset.nextFor);
    var option = select.selectedOptions[0];
    if (!field || !option || !option.dataset.next) return;
    if (field.value === "" || field.dataset.suggested === field.value || !field.dataset.suggested && field.defaultValue === field.value) {
      field.value = option.dataset.next;
      field.dataset.suggested = option.dataset.next;
    }
  });
})();
