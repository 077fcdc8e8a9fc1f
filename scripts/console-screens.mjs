// Signs in to the running console in headless Chromium (over the DevTools protocol, no Playwright),
// opens each page, prints the browser console's errors and saves a screenshot of each.
// node --experimental-websocket scripts/console-screens.mjs http://127.0.0.1:5099 admin 'password' out-dir [width height] [page ...]
// FULL_PAGE=1 grows the window to the page's height before the screenshot.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

const [base, user, password, outDir, width = '1280', height = '800', ...pages] = process.argv.slice(2);
const paths = pages.length ? pages : ['/', '/controls', '/playbooks', '/slow-queries', '/leaks', '/readiness', '/audit'];
const port = 9300 + Math.floor(Math.random() * 500);
mkdirSync(outDir, { recursive: true });

const chrome = spawn('/usr/bin/chromium', [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', `--remote-debugging-port=${port}`, `--window-size=${width},${height}`, 'about:blank',
], { stdio: 'ignore' });
const sleep = ms => new Promise(r => setTimeout(r, ms));
let failures = 0;
try {
  let targets;
  for (let i = 0; i < 50 && !targets; i++) {
    await sleep(200);
    targets = await fetch(`http://127.0.0.1:${port}/json/list`).then(r => r.json()).catch(() => undefined);
  }
  const page = targets.find(t => t.type === 'page');
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise(r => ws.addEventListener('open', r));
  let id = 0;
  const pending = new Map();
  const errors = [];
  ws.addEventListener('message', e => {
    const m = JSON.parse(e.data);
    if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); return; }
    if (m.method === 'Runtime.exceptionThrown') errors.push(m.params.exceptionDetails.exception?.description ?? m.params.exceptionDetails.text);
    if (m.method === 'Runtime.consoleAPICalled' && ['error', 'warning'].includes(m.params.type)) errors.push(`${m.params.type}: ` + m.params.args.map(a => a.value ?? a.description).join(' '));
    if (m.method === 'Log.entryAdded' && ['error', 'warning'].includes(m.params.entry.level)) errors.push(`${m.params.entry.level}: ${m.params.entry.text} ${m.params.entry.url ?? ''}`);
  });
  const send = (method, params = {}) => new Promise(r => { const n = ++id; pending.set(n, r); ws.send(JSON.stringify({ id: n, method, params })); });
  const evaluate = async expression => (await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })).result?.result?.value;
  await send('Page.enable'); await send('Runtime.enable'); await send('Log.enable');
  await send('Emulation.setDeviceMetricsOverride', { width: +width, height: +height, deviceScaleFactor: 1, mobile: false });

  await send('Page.navigate', { url: `${base}/login` });
  await sleep(1500);
  await evaluate(`(() => { document.getElementById('username').value = ${JSON.stringify(user)};
    document.getElementById('password').value = ${JSON.stringify(password)};
    document.querySelector('form').submit(); })()`);
  await sleep(2500);
  for (const path of paths) {
    errors.length = 0;
    await send('Page.navigate', { url: base + path });
    // Long enough for the circuit to connect and a few live updates to arrive.
    await sleep(6000);
    const url = await evaluate('location.pathname');
    const connected = await evaluate(`!!document.querySelector('.mud-layout')`);
    if (process.env.FULL_PAGE) {
      const full = await evaluate('document.documentElement.scrollHeight');
      await send('Emulation.setDeviceMetricsOverride', { width: +width, height: full, deviceScaleFactor: 1, mobile: false });
      await sleep(1500);
    }
    const shot = await send('Page.captureScreenshot', { format: 'png' });
    if (process.env.FULL_PAGE) {
      await send('Emulation.setDeviceMetricsOverride', { width: +width, height: +height, deviceScaleFactor: 1, mobile: false });
    }
    const name = path === '/' ? 'overview' : path.replace(/^\//, '').replace(/\//g, '-');
    writeFileSync(`${outDir}/${name}-${width}.png`, Buffer.from(shot.result.data, 'base64'));
    console.log(`${path} -> ${url} layout=${connected} console-errors=${errors.length}`);
    for (const e of errors) console.log('   ' + e);
    if (errors.length || url !== path) failures++;
  }
  ws.close();
} finally {
  chrome.kill();
}
process.exit(failures ? 1 : 0);
