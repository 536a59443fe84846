// Progressive enhancement: hide follow-up questions that do not apply. Without JavaScript every
// question stays visible with a hint saying when it applies.
// The server decides which value shows a question (webapp/forms/definition.py ShowIf) and writes
// the value its control sends into data-show-if-value, so this only compares what is sent: no
// translation of values here, or browser and server would disagree on what is shown.
(function () {
  function holds(form, name, expected) {
    return Array.prototype.some.call(form.elements, function (control) {
      if (control.name !== name) return false;
      if (control.type === "radio" || control.type === "checkbox") return control.checked && control.value === expected;
      return control.value === expected;
    });
  }
  function update(form) {
    form.querySelectorAll("[data-show-if-field]").forEach(function (block) {
      // A question the server flagged stays in view, so its message can always be read.
      block.hidden = !block.classList.contains("has-error")
        && !holds(form, block.dataset.showIfField, block.dataset.showIfValue);
    });
  }
  document.querySelectorAll("form.task-form").forEach(function (form) {
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
