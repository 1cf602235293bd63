/*
 * A compact TAP reporter for node --test: one "ok N - name" or
 * "not ok N - name" line per top-level test, and the reason of a failure
 * and every diagnostic as "# " lines right below it. tests/run-all.sh
 * counts the ok lines and shows the "#" lines of a failed script, so what
 * went wrong is read there without the YAML and stack frames of node's
 * own TAP reporter.
 */
import path from 'node:path';

function
comment(text)
{
	/* Playwright colours its call logs; a log file wants plain text. */
	return String(text).replace(/\x1b\[[0-9;]*m/g, '').split('\n')
	    .map((l) => `# ${l}\n`).join('');
}

/* The assertion behind a test failure and where in the test file it was. */
function
reason(error)
{
	const e = error?.cause ?? error;
	if (e == null)
		return 'failed';
	let where = '';
	for (const line of String(e.stack ?? '').split('\n')) {
		const m = /\(?(file:\/\/)?([^()\s]+\.test\.mjs):(\d+):\d+\)?$/
		    .exec(line.trim());
		if (m) {
			where = ` (${path.basename(m[2])}:${m[3]})`;
			break;
		}
	}
	return `${e.message ?? e}${where}`;
}

export default async function *
compactTap(source)
{
	let pass = 0, fail = 0;

	yield 'TAP version 13\n';
	for await (const { type, data } of source) {
		switch (type) {
		case 'test:pass':
			if (data.nesting !== 0 || data.details?.type === 'suite')
				break;
			pass++;
			yield `ok ${data.testNumber} - ${data.name}` +
			    (data.skip ? ' # SKIP' : '') + '\n';
			break;
		case 'test:fail':
			if (data.nesting !== 0 || data.details?.type === 'suite')
				break;
			fail++;
			yield `not ok ${data.testNumber} - ${data.name}\n`;
			yield comment(reason(data.details?.error));
			break;
		case 'test:diagnostic':
			if (data.nesting === 0 &&
			    !/^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /
			    .test(data.message))
				yield comment(data.message);
			break;
		case 'test:stdout':
		case 'test:stderr':
			yield comment(String(data.message).replace(/\n$/, ''));
			break;
		default:
			break;
		}
	}
	yield `1..${pass + fail}\n`;
	yield `# ${pass} passed, ${fail} failed\n`;
}
