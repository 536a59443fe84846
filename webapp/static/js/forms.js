// Progressive enhancement: hide follow-up questions that do not apply. Without JavaScript every
// question stays visible with a hint saying when it applies.
(function () {
  function currentValue(form, name) {
    const checked = form.querySelector(`[name="${name}"]:checked`);
    if (checked) return checked.value === "ja" ? true : checked.value === "nee" ? false : checked.value;
    const field = form.querySelector(`[name="${name}"]`);
    return field && field.type !== "radio" && field.type !== "checkbox" ? field.value : null;
  }
  function update(form) {
    form.querySelectorAll("[data-show-if-field]").forEach(function (block) {
      const expected = JSON.parse(block.dataset.showIfEquals);
      block.hidden = currentValue(form, block.dataset.showIfField) !== expected;
    });
  }
  document.querySelectorAll("form.task-form").forEach(function (form) {
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
