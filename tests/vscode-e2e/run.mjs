// Drives the samwise extension inside a real VS Code (code-server) through headless Chromium, one named step at a
// time, saving a screenshot after each step. Started by scripts/vscode-e2e.sh, which has already installed the VSIX
// into --extensions-dir; this file starts code-server itself so it owns the process and always stops it.
//
// Usage: node run.mjs --workspace DIR --state DIR --artifacts DIR --steps a,b,c [--path-prepend DIR] [--python FILE]

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CODE_SERVER = path.join(HERE, 'node_modules', '.bin', 'code-server');

/** How long one step may wait for VS Code or the binaries; generous because the machine is shared and small. */
const STEP_TIMEOUT_MS = 60_000;

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) {
      throw new Error(`bad argument ${argv[i]}`);
    }
    out[argv[i].slice(2)] = argv[i + 1];
  }
  for (const required of ['workspace', 'state', 'artifacts', 'steps']) {
    if (!out[required]) {
      throw new Error(`--${required} is required`);
    }
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------------------------------------------------------
// code-server

/**
 * Starts code-server on a port the OS picks (bound to 127.0.0.1), with telemetry, update checks and the extension
 * gallery pointed at nothing, and resolves with its URL once it prints that it listens.
 */
async function startCodeServer() {
  const state = args.state;
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(state, 'config'),
    XDG_DATA_HOME: path.join(state, 'data'),
    // The gallery would otherwise be queried for recommendations and updates; 127.0.0.1:9 refuses at once.
    EXTENSIONS_GALLERY: JSON.stringify({
      serviceUrl: 'http://127.0.0.1:9/gallery',
      itemUrl: 'http://127.0.0.1:9/items',
      resourceUrlTemplate: 'http://127.0.0.1:9/resource/{publisher}/{name}/{version}/{path}',
    }),
  };
  if (args['path-prepend']) {
    env.PATH = `${args['path-prepend']}${path.delimiter}${env.PATH}`;
  }
  const child = spawn(
    CODE_SERVER,
    [
      '--bind-addr', '127.0.0.1:0',
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      '--user-data-dir', path.join(state, 'user-data'),
      '--extensions-dir', path.join(state, 'extensions'),
    ],
    // Its own process group, so stopping it also stops the extension host and the language server it started.
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logFile = await fs.open(path.join(args.artifacts, 'code-server.log'), 'w');
  const url = await new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk) => {
      void logFile.write(chunk);
      buffered += chunk.toString();
      const m = buffered.match(/HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) {
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`code-server exited with ${code} before listening; see code-server.log`)));
    child.on('error', reject);
  });
  return { child, url, logFile };
}

async function stopCodeServer(server) {
  if (!server || server.child.exitCode !== null) {
    return;
  }
  const exited = once(server.child, 'exit');
  try {
    process.kill(-server.child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-server.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, 5_000);
  await exited;
  clearTimeout(timer);
  await server.logFile.close();
}

// ---------------------------------------------------------------------------------------------------------------
// VS Code helpers

/**
 * Opens the quick input with `key` and returns its text box. A key press that arrives while the workbench is still
 * settling (focus moving to a new editor or panel) can be dropped, so the press is repeated when the box does not
 * appear; a box that never appears still fails the step.
 */
async function openQuickInput(page, key) {
  const input = page.locator('.quick-input-widget input.input');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press(key);
    try {
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      return input;
    } catch (err) {
      if (attempt === 3) {
        throw new Error(`pressing ${key} did not open the quick input (${attempt} tries): ${err.message}`);
      }
    }
  }
}

/** Runs a command from the command palette by its label, as a person would. */
async function runCommand(page, label) {
  const input = await openQuickInput(page, 'F1');
  await input.fill(`>${label}`);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: label })
    .first()
    .waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

/** Opens a workspace file through Quick Open and waits until its editor tab is active. */
async function openFile(page, relPath) {
  const input = await openQuickInput(page, 'F1');
  await input.fill(relPath);
  const dir = path.dirname(relPath);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: path.basename(relPath) })
    .filter({ hasText: dir === '.' ? '' : dir })
    .first()
    .waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
  await page
    .locator('.tabs-container .tab.active', { hasText: path.basename(relPath) })
    .waitFor({ state: 'visible' });
  return page.locator('.editor-group-container.active .monaco-editor').first();
}

/** Moves the cursor to a 1-based line with Go to Line. */
async function goToLine(page, line) {
  const input = await openQuickInput(page, 'Control+G');
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

/** The 1-based line of a `# BP: name` marker comment, so tests do not hard-code line numbers. */
async function markerLine(file, name) {
  const lines = (await fs.readFile(file, 'utf8')).split('\n');
  const index = lines.findIndex((l) => l.includes(`# BP: ${name}`));
  if (index < 0) {
    throw new Error(`no "# BP: ${name}" marker in ${file}`);
  }
  return index + 1;
}

/** Text of the visible part of the active output channel (Monaco renders spaces as U+00A0). */
async function outputText(page) {
  const text = await page.locator('.panel .output-view .view-lines').first().innerText();
  return text.replace(/\u00a0/g, ' ');
}

async function waitForOutput(page, pattern, what) {
  await page.waitForFunction(
    (source) => {
      const el = document.querySelector('.panel .output-view .view-lines');
      return !!el && new RegExp(source).test(el.textContent.replace(/\u00a0/g, ' '));
    },
    pattern.source,
    { timeout: STEP_TIMEOUT_MS },
  ).catch(async (err) => {
    const seen = await outputText(page).catch(() => '(no output panel)');
    throw new Error(`${what}: ${pattern} did not appear in the output panel; it shows:\n${seen}\n(${err.message})`);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Steps

const STEPS = {
  /**
   * The example project is open, and the VSIX installed by the script shows up in the Extensions view and activates:
   * its log names the server binary it uses.
   */
  async install(page) {
    await page
      .locator('.explorer-folders-view .monaco-list-row', { hasText: 'template.yaml' })
      .first()
      .waitFor({ state: 'visible' });
    await runCommand(page, 'Extensions: Show Enabled Extensions');
    await page
      .locator('.extensions-viewlet .monaco-list-row', { hasText: 'samwise: AWS SAM for Python' })
      .first()
      .waitFor({ state: 'visible' });
    await runCommand(page, 'samwise: Show Output');
    await waitForOutput(page, /Using samwise-lsp \S+ \((bundled|setting|PATH): /, 'the samwise log');
  },

  /** A broken template gets error squiggles from samwise, listed in the Problems panel. */
  async diagnostics(page) {
    const editor = await openFile(page, 'e2e/broken/template.yaml');
    await editor.locator('.squiggly-error').first().waitFor({ state: 'attached' });
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    const rows = page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ state: 'visible' });
    const problems = (await page.locator('.markers-panel').innerText()).replace(/\u00a0/g, ' ');
    console.log(`  problems panel:\n    ${problems.split('\n').join('\n    ')}`);
    // The only diagnostics provider in this VS Code is samwise (no YAML extension is installed), and each of its
    // diagnostics names its source and a rule code.
    if (!/template\.yaml/.test(problems) || !/samwise/.test(problems) || !/SW\d{4}/.test(problems)) {
      throw new Error('the Problems panel does not list a samwise diagnostic (SWnnnn) for broken/template.yaml');
    }
  },

  /** Typing a resource type offers AWS::S3::Bucket among the completions. */
  async completion(page) {
    const editor = await openFile(page, 'e2e/completion/template.yaml');
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('AWS::S3::Buck');
    const suggest = page.locator('.editor-widget.suggest-widget');
    if (!(await suggest.isVisible())) {
      await page.keyboard.press('Control+Space');
    }
    await suggest
      .locator('.monaco-list-row', { hasText: 'AWS::S3::Bucket' })
      .first()
      .waitFor({ state: 'visible' });
    const labels = (await suggest.locator('.monaco-list-row .label-name').allInnerTexts()).slice(0, 8);
    console.log(`  completions: ${labels.join(', ')}`);
  },

  /** The "Invoke locally" code lens runs the function; its result and log appear in the invoke output channel. */
  async invoke(page) {
    const editor = await openFile(page, 'e2e/hello/template.yaml');
    const lens = editor.locator('.codelens-decoration a', { hasText: 'Invoke locally' }).first();
    await lens.waitFor({ state: 'visible' });
    await lens.click();
    await waitForOutput(page, /hello from samwise-e2e, vscode/, 'the invoke result');
    await waitForOutput(page, /e2e handler invoked for vscode/, 'the function log');
  },

  /** A breakpoint in the handler, then the "Debug locally" lens: the session stops at the breakpoint. */
  async debug(page, snap) {
    const line = await markerLine(path.join(args.workspace, 'e2e/hello/src/app.py'), 'handler');
    const source = await openFile(page, 'e2e/hello/src/app.py');
    await source.click();
    await goToLine(page, line);
    await page.keyboard.press('F9');
    await source.locator('.codicon-debug-breakpoint').first().waitFor({ state: 'attached' });
    const template = await openFile(page, 'e2e/hello/template.yaml');
    const lens = template.locator('.codelens-decoration a', { hasText: 'Debug locally' }).first();
    await lens.waitFor({ state: 'visible' });
    await lens.click();
    // Stopped: VS Code reveals the source and marks the top stack frame on the breakpoint's line.
    const stopped = page.locator('.editor-group-container.active .monaco-editor .codicon-debug-stackframe').first();
    await stopped.waitFor({ state: 'attached' });
    await page.locator('.tabs-container .tab.active', { hasText: 'app.py' }).waitFor({ state: 'visible' });
    // VS Code puts the cursor on the top frame's line, so the status bar tells where the session stopped.
    await page
      .locator('[id="status.editor.selection"]', { hasText: new RegExp(`Ln ${line}, Col`) })
      .waitFor({ state: 'visible' })
      .catch(async () => {
        const at = await page.locator('[id="status.editor.selection"]').innerText().catch(() => '?');
        throw new Error(`stopped, but not on the breakpoint's line ${line} (status bar: ${at})`);
      });
    await snap('stopped');
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden' });
  },
};

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const steps = args.steps.split(',').filter(Boolean);
  for (const step of steps) {
    if (!STEPS[step]) {
      throw new Error(`unknown step "${step}"; steps are ${Object.keys(STEPS).join(', ')}`);
    }
  }
  await fs.mkdir(args.artifacts, { recursive: true });
  let server;
  let browser;
  const failed = [];
  let passed = 0;
  const stopAll = async () => {
    await browser?.close().catch(() => {});
    await stopCodeServer(server);
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      void stopAll().finally(() => process.exit(130));
    });
  }
  try {
    server = await startCodeServer();
    console.log(`code-server at ${server.url}`);
    // A fresh profile per run; Playwright passes it as --user-data-dir.
    browser = await chromium.launchPersistentContext(path.join(args.state, 'chromium'), {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run',
      ],
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(args.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
    // The explorer's file tree shows once the workspace is open; keyboard shortcuts work from then on.
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible' });

    for (const [i, step] of steps.entries()) {
      const n = i + 1;
      const shot = path.join(args.artifacts, `${String(n).padStart(2, '0')}-${step}.png`);
      const started = Date.now();
      try {
        const snap = (label) =>
          page.screenshot({ path: path.join(args.artifacts, `${String(n).padStart(2, '0')}-${step}-${label}.png`) });
        await STEPS[step](page, snap);
        await page.screenshot({ path: shot });
        console.log(`ok ${n} - ${step} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        passed += 1;
      } catch (err) {
        await page.screenshot({ path: shot }).catch(() => {});
        console.log(`not ok ${n} - ${step}: ${err.message}`);
        failed.push(step);
      }
      // Later steps start from a quiet workbench: no widget, quick pick or suggestion left open by this one.
      for (let k = 0; k < 3; k++) {
        await page.keyboard.press('Escape');
      }
    }
  } finally {
    await stopAll();
  }
  if (failed.length > 0) {
    console.log(`${passed} passed, ${failed.length} failed`);
    console.error(`vscode-e2e: failed steps: ${failed.join(', ')}; screenshots and code-server.log are in ${args.artifacts}`);
    process.exit(1);
  }
  console.log(`${passed} passed, 0 failed`);
}

main().catch((err) => {
  console.error(`vscode-e2e: ${err.stack ?? err}`);
  process.exit(1);
});
