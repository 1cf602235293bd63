/*
 * The reporter's form in a real browser: the estd and estctl built by
 * `make all`, a fresh database in a temporary directory, Debian's chromium
 * driven by playwright-core as a 360 px phone, and axe-core for WCAG 2.1
 * A/AA. Each top-level test prints one TAP line.
 *
 * The tests follow one reporter through a week, so they run in order and
 * later ones build on what earlier ones stored:
 *   centrum: report (revision 1), changed report (revision 2)
 *   norr:    "inget att rapportera"
 *
 * Run with `sh tests/browser/run.sh` from the repository root.
 * ESTD_TEMPLATES_DIR tries the pages of another templates directory;
 * ESTD_BROWSER_KEEP=1 keeps the temporary directory (estd.db) afterwards.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const ESTD = path.join(REPO, 'build', 'estd');
const ESTCTL = path.join(REPO, 'build', 'estctl');
const TEMPLATES = process.env.ESTD_TEMPLATES_DIR ?
    path.resolve(process.env.ESTD_TEMPLATES_DIR) :
    path.join(REPO, 'reporter-form');
const SHOTS = path.join(REPO, 'build', 'screenshots');
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'),
    'utf8');

/* Wednesday of ISO week 2026-W47 (16–22 November). */
const NOW = '2026-11-18T10:00:00+01:00';
const PERIOD = '2026-W47';
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/* The shipped checklist (config/checklist.ini), in form order. */
const INDICATORS = [
	['skadegorelse', 'Skadegörelse', 'Vandalism'],
	['klotter', 'Klotter', 'Graffiti'],
	['nedskrapning', 'Nedskräpning', 'Littering'],
	['brand', 'Anlagda bränder', 'Arson'],
	['samlingar', 'Otrygghetsskapande samlingar',
	    'Gatherings that create insecurity'],
	['narkotika', 'Misstänkt narkotikahantering', 'Suspected drug dealing'],
	['vald', 'Hot, våld, bråk eller rån',
	    'Threats, violence, fights or robbery'],
	['anstalld', 'Incident mot anställd', 'Incident against staff'],
	['inbrott', 'Inbrott', 'Burglary'],
	['trafik', 'Olovlig trafik eller buskörning',
	    'Unlawful or reckless driving'],
	['otrygg_plats', 'Otrygg plats', 'Unsafe place'],
	['tillhall', 'Olovligt boende eller tillhåll',
	    'Unlawful sleeping place or hang-out'],
	['rykten', 'Rykten eller oro i sociala medier',
	    'Rumours or unrest on social media'],
];
const SCALE_SV = ['Inget observerat', 'Enstaka', 'Återkommande',
    'Omfattande'];
const SCALE_EN = ['Nothing observed', 'Isolated', 'Recurring', 'Extensive'];
const NOTE = 'Krossad busskur vid hållplatsen, glas på marken';

/* What the tests share; filled by the setup test. */
const S = {
	ready: false,
	dir: null,
	conf: null,
	estd: null,
	stderr: '',
	base: null,
	token: null,
	browser: null,
	ctx: null,		/* JavaScript on, CSP bypassed for axe */
	nojs: null,		/* JavaScript off, as a strict phone */
	receiptUrl: null,
};

const PHONE = {
	viewport: { width: 360, height: 740 },
	deviceScaleFactor: 2,
	isMobile: true,
	hasTouch: true,
	locale: 'sv-SE',
};

function
need()
{
	if (!S.ready)
		throw new Error('setup failed (see the first test): ' +
		    'estd is not running');
}

function
estctl(...args)
{
	try {
		return execFileSync(ESTCTL, ['-c', S.conf, ...args], {
			encoding: 'utf8',
			env: { ...process.env, ESTD_NOW: NOW },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
	} catch (e) {
		throw new Error(`estctl ${args.join(' ')} exited ` +
		    `${e.status}: ${(e.stderr || '').trim()}`);
	}
}

/* The latest revision of each report of the week, keyed by area. */
function
storedReports()
{
	const doc = JSON.parse(estctl('reports', PERIOD, '--json'));
	const by = {};
	for (const r of doc.reports)
		by[r.area] = r;
	return by;
}

/* Start estd and resolve with its port once it says it listens. */
function
startEstd()
{
	return new Promise((resolve, reject) => {
		const p = spawn(ESTD, ['-c', S.conf], {
			cwd: S.dir,
			env: { ...process.env, ESTD_NOW: NOW },
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		S.estd = p;
		const timer = setTimeout(() => reject(new Error(
		    'estd did not say "listening on port N" within 15 s; ' +
		    `stderr:\n${S.stderr}`)), 15000);
		p.stderr.setEncoding('utf8');
		p.stderr.on('data', (chunk) => {
			S.stderr += chunk;
			const m = /listening on port (\d+)/.exec(S.stderr);
			if (m) {
				clearTimeout(timer);
				resolve(Number(m[1]));
			}
		});
		p.on('error', (e) => {
			clearTimeout(timer);
			S.estd = null;
			reject(new Error(`cannot start ${ESTD}: ${e.message}`));
		});
		p.on('exit', (code, sig) => {
			clearTimeout(timer);
			S.estd = null;
			reject(new Error(`estd exited (${code ?? sig}) before ` +
			    `listening; stderr:\n${S.stderr}`));
		});
	});
}

function
stopEstd()
{
	const p = S.estd;
	if (p == null)
		return Promise.resolve();
	return new Promise((resolve) => {
		const kill = setTimeout(() => p.kill('SIGKILL'), 5000);
		p.once('exit', () => {
			clearTimeout(kill);
			resolve();
		});
		p.kill('SIGTERM');
	});
}

/* Never leave a daemon behind, however the run ends. */
process.on('exit', () => {
	if (S.estd != null)
		S.estd.kill('SIGKILL');
});

async function
newPage(ctx = S.ctx)
{
	const page = await ctx.newPage();
	page.setDefaultTimeout(10000);
	return page;
}

async function
shot(page, name)
{
	fs.mkdirSync(SHOTS, { recursive: true });
	await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
}

function
formUrl(query = '')
{
	return `${S.base}/r/${S.token}${query}`;
}

/* The form that posts the report (the one with the rating choices). */
function
mainForm(page)
{
	return page.locator('form[method="post" i]').filter({
		has: page.locator('input[type="radio"][name^="r."]'),
	});
}

function
ratingInput(page, key, value)
{
	return mainForm(page).locator(
	    `input[type="radio"][name="r.${key}"][value="${value}"]`);
}

/* The label the user taps for one choice: label[for=id], or a wrapper. */
async function
ratingLabel(page, key, value)
{
	const input = ratingInput(page, key, value);
	assert.equal(await input.count(), 1,
	    `one radio r.${key}=${value} on the form`);
	const id = await input.getAttribute('id');
	if (id)
		return page.locator(`label[for="${id}"]`);
	return page.locator('label').filter({ has: input });
}

function
countInput(page, key)
{
	return mainForm(page).locator(`[name="n.${key}"]`);
}

/* The button that sends the filled-in report (not "inget att rapportera"). */
function
sendButton(page)
{
	return mainForm(page).locator('button:not([name="nothing"]), ' +
	    'input[type="submit"]:not([name="nothing"])').last();
}

/*
 * Tap `target` and wait for the page it leads to. Returns the response to
 * the POST (303 or 422) or to the GET of a link or GET form.
 */
async function
tapAndWait(page, target, method)
{
	const first = page.waitForResponse((r) =>
	    r.request().method() === method &&
	    r.request().frame() === page.mainFrame() &&
	    r.request().isNavigationRequest());
	const loaded = page.waitForEvent('load');
	await target.tap();
	const resp = await first;
	await loaded;
	return resp;
}

async function
bodyText(page)
{
	return (await page.locator('body').innerText()).replace(/[ \t]+/g, ' ');
}

/*
 * The text of the receipt between an indicator's label and the next
 * label shown, i.e. what the receipt says about that indicator.
 */
function
answerFor(text, label)
{
	const at = text.indexOf(label);
	if (at === -1)
		return null;
	let end = text.length;
	for (const [, sv] of INDICATORS) {
		const j = text.indexOf(sv, at + label.length);
		if (sv !== label && j !== -1 && j < end)
			end = j;
	}
	return text.slice(at + label.length, end);
}

/*
 * Every element the user taps, with its height, at the current viewport.
 * Radio and check boxes count by their labels, which is what a finger
 * hits; visually hidden elements (skip links off screen) are left out.
 */
function
tapTargets(page)
{
	return page.evaluate(() => {
		const sel = 'a[href], button, select, textarea, summary, ' +
		    'input:not([type="hidden"]):not([type="radio"])' +
		    ':not([type="checkbox"]), label';
		const out = [];
		for (const el of document.querySelectorAll(sel)) {
			if (el.tagName === 'LABEL') {
				const c = el.control;
				if (c == null || (c.type !== 'radio' &&
				    c.type !== 'checkbox'))
					continue;
			}
			const st = getComputedStyle(el);
			const r = el.getBoundingClientRect();
			if (st.display === 'none' || st.visibility === 'hidden' ||
			    r.width <= 1 || r.height <= 1 ||
			    r.right <= 0 || r.bottom <= 0)
				continue;
			let what = el.tagName.toLowerCase();
			if (el.id)
				what += '#' + el.id;
			else if (el.name)
				what += `[name="${el.name}"]`;
			if (el.tagName === 'LABEL')
				what += `[for="${el.htmlFor}"]`;
			else if (el.tagName === 'A' && !el.id)
				what += `[href="${el.getAttribute('href')
				    .slice(0, 30)}"]`;
			const t = (el.innerText || el.value || '').trim()
			    .replace(/\s+/g, ' ').slice(0, 40);
			out.push({ what, text: t,
			    height: Math.round(r.height * 10) / 10 });
		}
		return out;
	});
}

function
assertTapTargets(t, targets, page)
{
	assert.ok(targets.length > 0, `no tap targets found on ${page}`);
	const small = targets.filter((x) => x.height < 44);
	for (const x of small)
		t.diagnostic(`${page}: ${x.what} "${x.text}" is ` +
		    `${x.height} px high`);
	assert.deepEqual(small.map((x) => `${x.what} "${x.text}" ` +
	    `${x.height}px`), [],
	    `${small.length} of ${targets.length} tap targets on ${page} ` +
	    'are lower than 44 px');
}

/*
 * Run axe-core on the page with the WCAG 2.x A/AA rules and fail, listing
 * every violation and the nodes at fault, when there is any.
 */
async function
assertAccessible(t, page, what)
{
	await page.addScriptTag({ content: AXE_SOURCE });
	const res = await page.evaluate((tags) =>
	    window.axe.run(document, {
		runOnly: { type: 'tag', values: tags },
		resultTypes: ['violations'],
	    }), WCAG_TAGS);
	const lines = [];
	for (const v of res.violations) {
		lines.push(`${what}: ${v.id} (${v.impact}): ${v.help} ` +
		    `[${v.helpUrl}]`);
		/* The fix is the same for every node of a rule: say it once. */
		const fix = (v.nodes[0]?.failureSummary || '').split('\n')
		    .map((l) => l.trim()).filter(Boolean);
		for (const l of fix.slice(0, 4))
			lines.push(`    ${l}`);
		for (const n of v.nodes)
			lines.push(`    at ${n.target.join(' ')}: ` +
			    n.html.replace(/\s+/g, ' ').slice(0, 160));
	}
	for (const l of lines)
		t.diagnostic(l);
	assert.deepEqual(res.violations.map((v) =>
	    `${v.id} (${v.nodes.length} node${v.nodes.length > 1 ? 's' : ''})`),
	    [], `axe violations on ${what}, listed below`);
}

/* Post the centrum form with a count that is not a number: the 422 page. */
async function
postInvalid(page)
{
	await page.goto(formUrl());
	await (await ratingLabel(page, 'brand', 1)).tap();
	await page.locator('#place, [name="place"]').first().fill('Busstorget');
	/*
	 * A pattern, type=number or required attribute would let the browser
	 * refuse "abc" before the server sees it: the server's validation is
	 * what is tested, so lift the browser's.
	 */
	await countInput(page, 'klotter').evaluate((el) => {
		el.removeAttribute('pattern');
		el.removeAttribute('min');
		el.removeAttribute('max');
		if (el.type === 'number')
			el.type = 'text';
		el.form.noValidate = true;
	});
	await countInput(page, 'klotter').fill('');
	await countInput(page, 'klotter').pressSequentially('abc');
	return tapAndWait(page, sendButton(page), 'POST');
}

after(async () => {
	if (S.browser != null)
		await S.browser.close().catch(() => {});
	await stopEstd();
	if (S.dir != null) {
		if (process.env.ESTD_BROWSER_KEEP)
			process.stderr.write(`kept ${S.dir}\n`);
		else
			fs.rmSync(S.dir, { recursive: true, force: true });
	}
});

test('setup: estctl prepares a database and estd listens on a port',
    { timeout: 60000 }, async () => {
	for (const f of [ESTD, ESTCTL])
		assert.ok(fs.existsSync(f), `${f} is missing: run make all`);
	for (const f of ['form.html', 'receipt.html', 'error.html'])
		assert.ok(fs.existsSync(path.join(TEMPLATES, f)),
		    `${path.join(TEMPLATES, f)} is missing`);
	S.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estd-browser-'));
	S.conf = path.join(S.dir, 'estd.conf');
	fs.writeFileSync(S.conf, [
		'[server]',
		'listen = 127.0.0.1:0',
		'base_url = http://127.0.0.1',
		`templates = ${TEMPLATES}`,
		'[storage]',
		'database = estd.db',
		'[smtp]',
		'spool = outbox',
		'[checklist]',
		`file = ${path.join(REPO, 'config', 'checklist.ini')}`,
		'',
	].join('\n'));
	estctl('init');
	estctl('area', 'add', 'centrum', 'Centrum');
	estctl('area', 'add', 'norr', 'Norra stan');
	const out = estctl('person', 'add', '--name', 'Anna Berg',
	    '--email', 'anna@example.org', '--org', 'Bostadsbolaget',
	    '--role', 'reporter', '--area', 'centrum', '--area', 'norr');
	const last = out.trimEnd().split('\n').pop();
	const m = /^http:\/\/127\.0\.0\.1\/r\/([A-Za-z0-9_-]{20,})$/.exec(last);
	assert.ok(m, `last line of person add is the link, got "${last}"`);
	S.token = m[1];

	const port = await startEstd();
	assert.ok(port > 0 && port < 65536, `port ${port}`);
	S.base = `http://127.0.0.1:${port}`;

	S.browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu',
		    '--disable-background-networking', '--disable-quic',
		    '--no-first-run', '--disable-component-update',
		    '--disable-sync'],
	});
	S.ctx = await S.browser.newContext({ ...PHONE, bypassCSP: true });
	S.nojs = await S.browser.newContext({ ...PHONE,
	    javaScriptEnabled: false });
	S.ready = true;
});

test('form: week 47, 16–22 november, Centrum preselected', async () => {
	need();
	const page = await newPage();
	const resp = await page.goto(formUrl());
	assert.equal(resp.status(), 200);
	assert.match(resp.headers()['content-type'], /^text\/html/);
	assert.equal(await page.locator('html').getAttribute('lang'), 'sv');
	const text = await bodyText(page);
	assert.ok(text.includes('vecka 47'), `"vecka 47" in:\n${text}`);
	assert.ok(text.includes('16–22 november'),
	    `"16–22 november" in:\n${text}`);
	assert.ok(text.includes('Centrum'), 'the area name "Centrum" shown');
	assert.equal(await mainForm(page).count(), 1,
	    'one POST form with the ratings');
	assert.equal(await mainForm(page).locator('[name="area"]').first()
	    .inputValue(), 'centrum', 'the form posts area=centrum');
	await shot(page, 'form.png');
	await page.close();
});

test('form: 13 indicator fieldsets in checklist order, four choices each',
    async () => {
	need();
	const page = await newPage();
	await page.goto(formUrl());
	const sets = mainForm(page).locator('fieldset').filter({
		has: page.locator('input[type="radio"][name^="r."]'),
	});
	assert.equal(await sets.count(), 13);
	for (let i = 0; i < INDICATORS.length; i++) {
		const [key, sv] = INDICATORS[i];
		const fs_ = sets.nth(i);
		assert.equal(await fs_.locator('legend').count(), 1,
		    `fieldset ${i + 1} (${key}) has a legend`);
		const legend = (await fs_.locator('legend').innerText()).trim();
		assert.ok(legend.startsWith(sv),
		    `fieldset ${i + 1}: legend "${legend}" starts with "${sv}"`);
		const names = await fs_.locator('input[type="radio"]')
		    .evaluateAll((els) => [...new Set(els.map((e) => e.name))]);
		assert.deepEqual(names, [`r.${key}`]);
		for (let v = 0; v <= 3; v++) {
			const label = await ratingLabel(page, key, v);
			assert.equal((await label.innerText()).trim(),
			    SCALE_SV[v], `label of r.${key}=${v}`);
		}
	}
	await page.close();
});

test('form: no horizontal scroll at 360 px', async () => {
	need();
	const page = await newPage();
	await page.goto(formUrl());
	const w = await page.evaluate(() => ({
		scroll: document.documentElement.scrollWidth,
		inner: window.innerWidth,
	}));
	assert.equal(w.inner, 360, 'layout viewport is 360 px (meta viewport)');
	assert.ok(w.scroll <= 360, `form scrollWidth ${w.scroll} <= 360`);
	await page.close();
});

test('form: every tap target is at least 44 px high', async (t) => {
	need();
	const page = await newPage();
	await page.goto(formUrl());
	assertTapTargets(t, await tapTargets(page), 'the form');
	await page.close();
});

test('axe: the form has no WCAG 2.1 A/AA violations', async (t) => {
	need();
	const page = await newPage();
	await page.goto(formUrl());
	await assertAccessible(t, page, 'the form');
	await page.close();
});

test('submit: tapped ratings, a count, place and note land on the receipt',
    async () => {
	need();
	const page = await newPage();
	await page.goto(formUrl());
	await (await ratingLabel(page, 'skadegorelse', 2)).tap();
	await (await ratingLabel(page, 'klotter', 1)).tap();
	assert.ok(await ratingInput(page, 'skadegorelse', 2).isChecked(),
	    'tapping "Återkommande" checks r.skadegorelse=2');
	assert.ok(await ratingInput(page, 'klotter', 1).isChecked(),
	    'tapping "Enstaka" checks r.klotter=1');
	await countInput(page, 'skadegorelse').fill('3');
	await page.locator('[name="place"]').fill('Torget');
	await page.locator('[name="note"]').fill(NOTE);
	const resp = await tapAndWait(page, sendButton(page), 'POST');
	assert.equal(resp.status(), 303, 'POST answers 303 See Other');
	const url = new URL(page.url());
	assert.equal(url.pathname, `/r/${S.token}/receipt`);
	assert.equal(url.searchParams.get('area'), 'centrum');
	assert.equal(url.searchParams.get('period'), PERIOD);
	S.receiptUrl = page.url();

	const text = await bodyText(page);
	assert.ok(text.includes('Centrum'), `area on the receipt:\n${text}`);
	const sk = answerFor(text, 'Skadegörelse');
	assert.ok(sk != null, `Skadegörelse on the receipt:\n${text}`);
	assert.match(sk, /Återkommande/, 'Skadegörelse: Återkommande');
	assert.match(sk, /\b3\b/, 'Skadegörelse: count 3');
	const kl = answerFor(text, 'Klotter');
	assert.ok(kl != null, `Klotter on the receipt:\n${text}`);
	assert.match(kl, /Enstaka/, 'Klotter: Enstaka');
	assert.doesNotMatch(kl, /Återkommande|Omfattande|Inget observerat/);
	const ned = answerFor(text, 'Nedskräpning');
	if (ned != null)
		assert.doesNotMatch(ned, /Enstaka|Återkommande|Omfattande|Inget observerat/,
		    'Nedskräpning was not assessed');
	assert.doesNotMatch(text, /inget att rapportera/i,
	    'a report with ratings is not "inget att rapportera"');
	assert.ok(text.includes('Torget'), 'place on the receipt');
	assert.ok(text.includes(NOTE), 'note on the receipt');
	await shot(page, 'receipt.png');

	const r = storedReports().centrum;
	assert.ok(r, 'estctl reports lists the centrum report');
	assert.equal(r.revision, 1);
	assert.equal(r.reporter, 'anna@example.org');
	assert.deepEqual(r.ratings, { skadegorelse: 2, klotter: 1 });
	assert.deepEqual(r.counts, { skadegorelse: 3 });
	assert.equal(r.place, 'Torget');
	assert.equal(r.note, NOTE);
	assert.equal(r.nothing, false);
	await page.close();
});

test('receipt: every tap target is at least 44 px high', async (t) => {
	need();
	assert.ok(S.receiptUrl, 'a receipt from the submit test');
	const page = await newPage();
	const resp = await page.goto(S.receiptUrl);
	assert.equal(resp.status(), 200);
	assertTapTargets(t, await tapTargets(page), 'the receipt');
	await page.close();
});

test('receipt: no horizontal scroll at 360 px', async (t) => {
	need();
	assert.ok(S.receiptUrl, 'a receipt from the submit test');
	const page = await newPage();
	await page.goto(S.receiptUrl);
	const wide = await page.evaluate(() => {
		const out = [];
		for (const el of document.querySelectorAll('body *')) {
			const r = el.getBoundingClientRect();
			if (r.right > 360.5 && r.width > 0)
				out.push(`${el.tagName.toLowerCase()}` +
				    `${el.className ? '.' + el.className : ''} ` +
				    `right edge ${Math.round(r.right)} px`);
		}
		return { scroll: document.documentElement.scrollWidth,
		    wide: out.slice(0, 5) };
	});
	for (const w of wide.wide)
		t.diagnostic(`the receipt: ${w}`);
	assert.ok(wide.scroll <= 360, `receipt scrollWidth ${wide.scroll} ` +
	    `<= 360; too wide: ${wide.wide.join(', ')}`);
	await page.close();
});

test('axe: the receipt has no WCAG 2.1 A/AA violations', async (t) => {
	need();
	assert.ok(S.receiptUrl, 'a receipt from the submit test');
	const page = await newPage();
	await page.goto(S.receiptUrl);
	await assertAccessible(t, page, 'the receipt');
	await page.close();
});

test('change: "Ändra rapporten" shows the stored choices checked, ' +
    'a new rating gives version 2', async () => {
	need();
	assert.ok(S.receiptUrl, 'a receipt from the submit test');
	const page = await newPage();
	await page.goto(S.receiptUrl);
	const link = page.getByRole('link', { name: /ändra rapporten/i });
	assert.equal(await link.count(), 1, 'one "Ändra rapporten" link');
	const back = await tapAndWait(page, link, 'GET');
	assert.equal(back.status(), 200);
	assert.equal(new URL(page.url()).pathname, `/r/${S.token}`);
	assert.ok(await ratingInput(page, 'skadegorelse', 2).isChecked(),
	    'Skadegörelse: Återkommande checked');
	assert.ok(await ratingInput(page, 'klotter', 1).isChecked(),
	    'Klotter: Enstaka checked');
	for (const v of [0, 1, 2, 3])
		assert.ok(!(await ratingInput(page, 'nedskrapning', v)
		    .isChecked()), `Nedskräpning ${v} not checked`);
	assert.equal(await countInput(page, 'skadegorelse').inputValue(), '3');
	assert.equal(await page.locator('[name="place"]').inputValue(),
	    'Torget');
	assert.equal(await page.locator('[name="note"]').inputValue(), NOTE);

	await (await ratingLabel(page, 'klotter', 2)).tap();
	const resp = await tapAndWait(page, sendButton(page), 'POST');
	assert.equal(resp.status(), 303);
	assert.equal(new URL(page.url()).pathname, `/r/${S.token}/receipt`);
	const text = await bodyText(page);
	assert.match(text, /version 2\b/i, `"version 2" on:\n${text}`);
	assert.match(answerFor(text, 'Klotter') ?? '', /Återkommande/,
	    'Klotter: Återkommande');

	const r = storedReports().centrum;
	assert.equal(r.revision, 2);
	assert.deepEqual(r.ratings, { skadegorelse: 2, klotter: 2 });
	assert.deepEqual(r.counts, { skadegorelse: 3 });
	assert.equal(r.place, 'Torget');
	await page.close();
});

test('area: the select switches to Norra stan without JavaScript',
    async () => {
	need();
	const page = await newPage(S.nojs);
	await page.goto(formUrl());
	const sw = page.locator('form:not([method="post" i])').filter({
		has: page.locator('select[name="area"]'),
	});
	assert.equal(await sw.count(), 1, 'one GET form with select[name=area]');
	const options = await sw.locator('select[name="area"] option')
	    .evaluateAll((os_) => os_.map((o) => [o.value, o.textContent.trim()]));
	assert.deepEqual(options, [['centrum', 'Centrum'],
	    ['norr', 'Norra stan']]);
	await sw.locator('select[name="area"]').selectOption('norr');
	const button = sw.locator('button, input[type="submit"]');
	assert.equal(await button.count(), 1, 'the GET form has a button');
	const resp = await tapAndWait(page, button, 'GET');
	assert.equal(resp.status(), 200);
	const url = new URL(page.url());
	assert.equal(url.pathname, `/r/${S.token}`);
	assert.equal(url.searchParams.get('area'), 'norr');
	assert.match(await bodyText(page), /Norra stan/);
	assert.equal(await mainForm(page).locator('[name="area"]').first()
	    .inputValue(), 'norr', 'the form now posts area=norr');
	assert.equal(await page.locator('select[name="area"]').inputValue(),
	    'norr', 'the select shows Norra stan');
	assert.equal(await ratingInput(page, 'skadegorelse', 2).isChecked(),
	    false, 'nothing of the centrum report on the norr form');
	await page.close();
});

test('nothing: one tap on "Inget att rapportera" stores a report',
    async () => {
	need();
	const page = await newPage(S.nojs);
	await page.goto(formUrl('?area=norr'));
	const button = page.getByRole('button',
	    { name: /inget att rapportera/i });
	assert.equal(await button.count(), 1,
	    'one "Inget att rapportera" button');
	const resp = await tapAndWait(page, button, 'POST');
	assert.equal(resp.status(), 303);
	const url = new URL(page.url());
	assert.equal(url.pathname, `/r/${S.token}/receipt`);
	assert.equal(url.searchParams.get('area'), 'norr');
	const text = await bodyText(page);
	assert.match(text, /inget att rapportera/i);
	assert.match(text, /Norra stan/);
	assert.match(text, /version 1\b/i);

	const r = storedReports().norr;
	assert.ok(r, 'estctl reports lists a norr report');
	assert.equal(r.nothing, true);
	assert.equal(r.revision, 1);
	const zeros = Object.fromEntries(INDICATORS.map(([k]) => [k, 0]));
	assert.deepEqual(r.ratings, zeros, 'all 13 indicators 0');
	await page.close();
});

test('invalid: count "abc" gives 422, the error at the field, values kept',
    async () => {
	need();
	const page = await newPage();
	const resp = await postInvalid(page);
	assert.equal(resp.status(), 422);
	await shot(page, 'error-422.png');

	const input = countInput(page, 'klotter');
	assert.equal(await input.getAttribute('aria-invalid'), 'true',
	    'n.klotter has aria-invalid="true"');
	const id = await input.getAttribute('id');
	assert.ok(id, 'n.klotter has an id for the summary to link to');
	/* The message is tied to the input and sits in its fieldset. */
	const described = ((await input.getAttribute('aria-describedby')) ||
	    '').split(/\s+/).filter(Boolean);
	const messages = [];
	for (const d of described) {
		const el = page.locator(`[id="${d}"]`);
		if (await el.count() !== 1)
			continue;
		const same = await el.evaluate((e, inputId) =>
		    e.closest('fieldset') != null &&
		    e.closest('fieldset') ===
		    document.getElementById(inputId).closest('fieldset'),
		    id);
		if (same)
			messages.push((await el.innerText()).trim());
	}
	assert.ok(messages.some((m) => m.length > 0),
	    'an error message in the Klotter fieldset, named by ' +
	    `aria-describedby (got ${JSON.stringify(described)})`);

	/* The summary comes before the first indicator and links to it. */
	const link = page.locator(`a[href="#${id}"]`);
	assert.equal(await link.count(), 1, `one link to #${id} (summary)`);
	assert.match(await link.innerText(), /Klotter/);
	const before = await link.evaluate((a) => {
		const first = document.querySelector('fieldset');
		return first != null && (a.compareDocumentPosition(first) &
		    Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
	});
	assert.ok(before, 'the error summary is above the indicators');

	assert.ok(await ratingInput(page, 'brand', 1).isChecked(),
	    'Anlagda bränder: Enstaka kept');
	assert.ok(await ratingInput(page, 'skadegorelse', 2).isChecked(),
	    'Skadegörelse: Återkommande kept');
	assert.ok(await ratingInput(page, 'klotter', 2).isChecked(),
	    'Klotter: Återkommande kept');
	assert.equal(await countInput(page, 'skadegorelse').inputValue(), '3');
	assert.equal(await page.locator('[name="place"]').inputValue(),
	    'Busstorget');
	assert.equal(await page.locator('[name="note"]').inputValue(), NOTE);

	const r = storedReports().centrum;
	assert.equal(r.revision, 2, 'nothing stored by the refused post');
	assert.equal(r.place, 'Torget');
	await page.close();
});

test('axe: the 422 form has no WCAG 2.1 A/AA violations', async (t) => {
	need();
	const page = await newPage();
	const resp = await postInvalid(page);
	assert.equal(resp.status(), 422);
	await assertAccessible(t, page, 'the 422 form');
	await page.close();
});

test('english: ?lang=en shows the form in English', async () => {
	need();
	const page = await newPage();
	const resp = await page.goto(formUrl('?lang=en'));
	assert.equal(resp.status(), 200);
	assert.equal(await page.locator('html').getAttribute('lang'), 'en');
	const text = await bodyText(page);
	assert.match(text, /Nothing to report/);
	assert.match(text, /week 47, 16–22 November/);
	for (const [key, , en] of INDICATORS.slice(0, 2))
		assert.ok(text.includes(en), `"${en}" (${key}) in:\n${text}`);
	for (let v = 0; v <= 3; v++)
		assert.equal((await (await ratingLabel(page, 'vald', v))
		    .innerText()).trim(), SCALE_EN[v]);
	assert.doesNotMatch(text, /Inget att rapportera|Skadegörelse/);
	await page.close();
});

test('axe: the English form has no WCAG 2.1 A/AA violations', async (t) => {
	need();
	const page = await newPage();
	await page.goto(formUrl('?lang=en'));
	await assertAccessible(t, page, 'the English form');
	await page.close();
});

const BAD_TOKEN = 'x'.repeat(43);

test('unknown link: 401 with a helpful text', async () => {
	need();
	const page = await newPage();
	const resp = await page.goto(`${S.base}/r/${BAD_TOKEN}`);
	assert.equal(resp.status(), 401);
	assert.equal(await page.locator('html').getAttribute('lang'), 'sv');
	const h1 = (await page.locator('h1').first().innerText()).trim();
	assert.ok(h1.length > 0, 'a heading');
	const text = await bodyText(page);
	assert.match(text, /länk/i, `the page speaks of the link:\n${text}`);
	assert.ok(text.replace(h1, '').trim().length >= 40,
	    `an explanation beyond the heading:\n${text}`);
	assert.doesNotMatch(text, /401 Unauthorized|errno|NULL/);
	await page.close();
});

test('axe: the 401 page has no WCAG 2.1 A/AA violations', async (t) => {
	need();
	const page = await newPage();
	const resp = await page.goto(`${S.base}/r/${BAD_TOKEN}`);
	assert.equal(resp.status(), 401);
	await assertAccessible(t, page, 'the 401 page');
	await page.close();
});

test('teardown: estd still runs and stops on SIGTERM', async () => {
	need();
	assert.ok(S.estd != null, `estd is running; stderr:\n${S.stderr}`);
	const p = S.estd;
	const code = await new Promise((resolve) => {
		p.once('exit', (c, sig) => resolve(c ?? sig));
		p.kill('SIGTERM');
	});
	S.estd = null;
	assert.equal(code, 0, `estd exit status; stderr:\n${S.stderr}`);
});
