// End-to-end tests of the planners' web app in a real headless Chromium (Debian's `chromium`;
// playwright-core never downloads a browser). Usage: node e2e.mjs <base URL> <screenshot dir>
// Driven by tests/api/web.rs, which starts the server. Exits non-zero when a check fails.

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// pdf.js needs Promise.withResolvers, which Node 20 (Debian's) lacks.
Promise.withResolvers ??= function withResolvers() {
  let resolve;
  let reject;
  const promise = new Promise((yes, no) => { resolve = yes; reject = no; });
  return { promise, resolve, reject };
};
const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');

const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error('usage: node e2e.mjs <base URL> <screenshot dir>');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const origin = new URL(base).origin;
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const browser = await chromium.launch({
  executablePath: process.env.KB_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// Every request any page makes, to prove none leaves the server's origin.
const requests = [];
async function context(options = {}) {
  const ctx = await browser.newContext(options);
  ctx.on('request', (request) => requests.push(request.url()));
  return ctx;
}
const desktop = { viewport: { width: 1366, height: 768 } };
const phone = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

// Slugs of real records, through the API (same origin).
async function gql(query) {
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return (await response.json()).data;
}
const some = await gql(`{
  cases(first: 1) { edges { node { slug } } }
  measures(first: 2) { edges { node { slug } } }
  causes(first: 2) { edges { node { slug } } }
  strategies { slug } dimensions { slug }
  regions(level: "district", first: 1) { edges { node { slug } } }
  statistics(first: 1) { edges { node { slug } } }
}`);
const first = (connection) => connection.edges[0].node.slug;
const [m1, m2] = some.measures.edges.map((e) => e.node.slug);
const region = first(some.regions);
const screens = {
  home: '/',
  search: '/search?q=%E6%89%B6%E5%BF%97',
  recommend: '/recommend?text=' + encodeURIComponent('很多贫困户脱贫意愿不强，孩子辍学'),
  plan: `/plan?region=${region}&problem=${encodeURIComponent('意愿不强')}&m=${m1}&m=${m2}`,
  matrix: '/matrix',
  survey: '/survey',
  glossary: '/glossary',
  case: `/case/${first(some.cases)}`,
  measure: `/measure/${m1}`,
  cause: `/cause/${first(some.causes)}`,
  prong: `/prong/${some.strategies[0].slug}`,
  poverty: `/poverty/${some.dimensions[0].slug}`,
  region: `/region/${region}`,
  statistic: `/statistic/${first(some.statistics)}`,
};

// Every screen x {zh, en} x {desktop, phone}: screenshots, axe, phone layout.
for (const [device, options] of [['desktop', desktop], ['phone', phone]]) {
  const ctx = await context(options);
  const page = await ctx.newPage();
  for (const lang of ['zh', 'en']) {
    for (const [name, path] of Object.entries(screens)) {
      const url = `${origin}/${lang}${path}`;
      const response = await page.goto(url);
      check(response.status() === 200, `${device} ${lang} ${name}: 200`);
      check((await page.getAttribute('html', 'lang')) === (lang === 'zh' ? 'zh-CN' : 'en'), `${device} ${lang} ${name}: html lang`);
      check((await page.locator('h1').count()) === 1, `${device} ${lang} ${name}: one h1`);
      await page.screenshot({ path: join(shots, `${name}-${lang}-${device}.png`), fullPage: true });
      if (device === 'desktop') {
        // Through the DevTools protocol: the page's CSP (rightly) refuses an injected script.
        await page.evaluate(axeSource);
        const result = await page.evaluate(async () =>
          await window.axe.run(document, { resultTypes: ['violations'] }));
        const bad = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
        check(bad.length === 0, `${lang} ${name}: axe has no serious or critical violation` +
          (bad.length ? ` (${bad.map((v) => `${v.id}: ${v.nodes.length} x ${v.nodes[0].target}`).join('; ')})` : ''));
      } else {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        check(overflow <= 0, `phone ${lang} ${name}: no horizontal scroll (${overflow}px too wide)`);
        const small = await page.evaluate(() => {
          const selector = 'button, select, textarea, input:not([type=hidden]):not([type=checkbox]), summary, '
            + '.check, nav a, .chip, .facets a, .plain a, .pager a, .tiles a, .matrix td a, .bars a, .lang, .brand';
          return [...document.querySelectorAll(selector)]
            .filter((el) => el.offsetParent !== null && !el.closest('.graphql'))
            .map((el) => ({ el, box: el.getBoundingClientRect() }))
            .filter(({ box }) => box.height < 43.5)
            .map(({ el, box }) => `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 20)}" ${Math.round(box.height)}px`);
        });
        check(small.length === 0, `phone ${lang} ${name}: tap targets >= 44px` + (small.length ? ` (${small.slice(0, 5).join('; ')})` : ''));
      }
    }
  }
  await ctx.close();
}

// Reads a PDF's text.
async function pdfText(bytes) {
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: true }).promise;
  let text = '';
  for (let i = 1; i <= pdf.numPages; i++) {
    const content = await (await pdf.getPage(i)).getTextContent();
    text += content.items.map((item) => item.str).join('') + '\n';
  }
  // Chromium writes some CJK glyphs as compatibility characters (⼀ for 一): NFKC folds them.
  return text.normalize('NFKC').replace(/\s+/g, '');
}

// Ask -> recommendations -> add to plan, by mouse (with and without JavaScript) or keyboard.
async function askToPlan(page, lang, how) {
  await page.goto(`${origin}/${lang}/`);
  const text = lang === 'zh' ? '很多贫困户脱贫意愿不强，孩子辍学' : 'poor households lack the will to escape poverty';
  if (how === 'keyboard') {
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.id === 'ask-text')) break;
    }
    check(await page.evaluate(() => document.activeElement?.id === 'ask-text'), `keyboard ${lang}: Tab reaches the question`);
    await page.keyboard.type(text);
    await page.keyboard.press('Tab');
    await Promise.all([page.waitForURL(/\/recommend\?/), page.keyboard.press('Enter')]);
  } else {
    await page.fill('#ask-text', text);
    await Promise.all([page.waitForURL(/\/recommend\?/), page.click('form.ask button[type=submit]')]);
  }
  const recommended = await page.locator('.rec h3 a').count();
  check(recommended > 0, `${how} ${lang}: recommendations shown (${recommended})`);
  const title = (await page.locator('.rec h3 a').first().textContent()).trim();
  if (how === 'keyboard') {
    for (let i = 0; i < 200; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => !!document.activeElement?.closest('form.add'))) break;
    }
    check(await page.evaluate(() => !!document.activeElement?.closest('form.add')), `keyboard ${lang}: Tab reaches "Add to plan"`);
    await Promise.all([page.waitForURL(/\/plan\?/), page.keyboard.press('Enter')]);
  } else {
    await Promise.all([page.waitForURL(/\/plan\?/), page.locator('form.add button').first().click()]);
  }
  const planned = (await page.locator('ol.plan h2 a').allTextContents()).map((t) => t.trim());
  check(planned.includes(title), `${how} ${lang}: the plan holds "${title}"`);
  return title;
}

{
  const ctx = await context(desktop);
  const page = await ctx.newPage();
  for (const lang of ['zh', 'en']) {
    const title = await askToPlan(page, lang, 'mouse');
    const excerpt = (await page.locator('ol.plan .citations blockquote p').first().textContent()).trim();
    const pdf = await pdfText(await page.pdf({ format: 'A4', printBackground: true }));
    check(pdf.includes(title.normalize('NFKC').replace(/\s+/g, '')), `print ${lang}: the PDF has the measure "${title}"`);
    check(pdf.includes(excerpt.normalize('NFKC').replace(/\s+/g, '').slice(0, 30)), `print ${lang}: the PDF has its citation`);
    const markdown = await (await fetch(page.url().replace('/plan?', '/plan.md?'))).text();
    check(markdown.includes(title), `markdown ${lang}: the download has the measure`);
  }

  // The language switch keeps the path and the query.
  await page.goto(`${origin}/zh${screens.plan}`);
  await Promise.all([page.waitForURL(/\/en\/plan\?/), page.click('a.lang')]);
  check(new URL(page.url()).search === new URL(`${origin}/zh${screens.plan}`).search, 'language switch keeps the query');
  check((await page.locator('ol.plan > li').count()) === 2, 'language switch keeps the plan');

  // Search -> facet -> case page.
  await page.goto(`${origin}/en/search?q=village`);
  const facet = page.locator('.facets a[href*="kind=case"]');
  check((await facet.count()) === 1, 'search: a "case" facet link');
  await Promise.all([page.waitForURL(/kind=case/), facet.click()]);
  const kinds = await page.locator('.hit .kind').allTextContents();
  check(kinds.length > 0 && kinds.every((k) => k.trim() === 'Case'), 'search: the facet keeps only cases');
  await Promise.all([page.waitForURL(/\/en\/case\//), page.locator('.hit > a').first().click()]);
  check((await page.locator('.citations li').count()) > 0, 'search: the case page shows its citations');

  // Matrix cell -> its measures.
  await page.goto(`${origin}/en/matrix`);
  const cell = page.locator('.matrix td:not(:has(.gap)) a').first();
  await Promise.all([page.waitForURL(/strategy=/), cell.click()]);
  const measures = page.locator('#cell a[href*="/en/measure/"]');
  check((await measures.count()) > 0, 'matrix: a cell lists its measures');
  await Promise.all([page.waitForURL(/\/en\/measure\//), measures.first().click()]);
  check((await page.locator('h1').count()) === 1, 'matrix: a measure opens from the cell');

  // Suggestions while typing come from the API.
  await page.goto(`${origin}/en/`);
  await page.locator('#site-q').pressSequentially('drinking wat', { delay: 20 });
  await page.waitForFunction(() => document.querySelectorAll('#site-q-suggestions option').length > 0, null, { timeout: 5000 }).catch(() => {});
  check((await page.locator('#site-q-suggestions option').count()) > 0, 'search box: suggestions while typing');

  // GraphiQL loads from the server's assets.
  await page.goto(`${origin}/graphiql`);
  await page.waitForSelector('.graphiql-container', { timeout: 15000 }).catch(() => {});
  check((await page.locator('.graphiql-container').count()) === 1, 'GraphiQL renders offline');
  await ctx.close();
}

// JavaScript disabled, and keyboard only.
{
  const ctx = await context({ ...desktop, javaScriptEnabled: false });
  const page = await ctx.newPage();
  await askToPlan(page, 'zh', 'no-js');
  await askToPlan(page, 'en', 'no-js');
  await ctx.close();
}
{
  const ctx = await context(desktop);
  const page = await ctx.newPage();
  await askToPlan(page, 'en', 'keyboard');
  await askToPlan(page, 'zh', 'keyboard');
  await ctx.close();
}

const foreign = requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'));
check(foreign.length === 0, `no request leaves ${origin} (${requests.length} requests` +
  (foreign.length ? `; foreign: ${[...new Set(foreign)].slice(0, 5).join(', ')}` : '') + ')');

await browser.close();
console.log(`screenshots: ${shots}`);
console.log(failures.length ? `${failures.length} checks failed` : 'all checks passed');
process.exit(failures.length ? 1 : 0);
