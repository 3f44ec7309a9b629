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
  // Suggestions while typing in the search box: titles of the first hits, from the GraphQL API,
  // offered through a <datalist> (the browser's own accessible list).
  var box = document.getElementById('site-q');
  if (box && window.fetch) {
    var list = document.createElement('datalist');
    list.id = 'site-q-suggestions';
    box.parentNode.appendChild(list);
    box.setAttribute('list', list.id);
    var lang = document.documentElement.lang === 'en' ? 'en' : 'zh';
    var timer = null;
    var asked = '';
    box.addEventListener('input', function () {
      clearTimeout(timer);
      var q = box.value.trim();
      if (q.length < 2 || q.length > 200 || q === asked) return;
      timer = setTimeout(function () {
        asked = q;
        fetch('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query: 'query Suggest($q: String!) { search(query: $q, first: 6) { hits { title { zh en } } } }',
            variables: { q: q }
          })
        }).then(function (r) { return r.json(); }).then(function (body) {
          if (!body.data || box.value.trim() !== q) return;
          list.textContent = '';
          body.data.search.hits.forEach(function (hit) {
            var option = document.createElement('option');
            option.value = hit.title[lang];
            list.appendChild(option);
          });
        }).catch(function () {});
      }, 250);
    });
  }
  // A picker change submits its filter form (the button stays for keyboard and no-JS users).
  each('form.inline select', function (select) {
    select.addEventListener('change', function () { select.form.submit(); });
  });
})();
