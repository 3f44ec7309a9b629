// Progressive enhancement only: every view works without this file.
(function () {
  'use strict';
  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }
  // Buttons that need JavaScript are hidden in the HTML and shown here.
  each('.js-only', function (el) { el.hidden = false; });
  // Copy the plan's link.
  each('[data-copy]', function (button) {
    button.addEventListener('click', function () {
      var field = document.getElementById(button.getAttribute('data-copy'));
      var done = function () {
        var label = button.textContent;
        button.textContent = '✓';
        setTimeout(function () { button.textContent = label; }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done);
      } else {
        field.select();
        document.execCommand('copy');
        done();
      }
    });
  });
  each('[data-print]', function (button) {
    button.addEventListener('click', function () { window.print(); });
  });
  // Select the whole link on focus, for a quick manual copy.
  each('input.share', function (field) {
    field.addEventListener('focus', function () { field.select(); });
  });
  // A picker change submits its filter form (the button stays for keyboard and no-JS users).
  each('form.inline select', function (select) {
    select.addEventListener('change', function () { select.form.submit(); });
  });
})();
