// Drives the samwise extension inside a real VS Code (code-server) through headless Chromium, one named step at a
// time, saving a screenshot after each step. Started by scripts/vscode-e2e.sh, which has already installed the VSIX
// into --extensions-dir; this file starts code-server itself so it owns the process and always stops it.
//
// Usage: node run.mjs --workspace DIR --state DIR --artifacts DIR --steps a,b,c [--path-prepend DIR]
//          [--python FILE] [--moto-server FILE]
// The deploy step needs --python (a Python with boto3, to check the result) and --moto-server (the local AWS
// endpoint, started here before code-server so the language server inherits its address).

import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CODE_SERVER = path.join(HERE, 'node_modules', '.bin', 'code-server');

/** How long one step may wait for VS Code or the binaries; generous because the machine is shared and small. */
const STEP_TIMEOUT_MS = 60_000;
/** A deploy packages the function (pip installs its requirements) and uploads it before anything shows. */
const DEPLOY_TIMEOUT_MS = 180_000;

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
// moto: the local AWS endpoint of the deploy step

/** The stack and bucket the deploy step answers the extension's questions with (the project has no samconfig.toml). */
const STACK = 'samwise-e2e';
const BUCKET = 'samwise-e2e-artifacts';
/** A dummy secret, so a credential the tests did not set can never be used (and so it can be looked for). */
const SECRET_ACCESS_KEY = 'dummy-secret-never-printed';

/**
 * The AWS settings code-server (and so the extension host, the language server and every function it runs) gets:
 * dummy credentials, one region, the AWS config files pointed at files that do not exist so the user's own
 * profiles are never read, no instance metadata lookups, and every request sent to `endpoint`. Without moto the
 * endpoint is 127.0.0.1:9, which refuses at once: nothing the steps do can reach AWS.
 */
function awsEnv(endpoint) {
  const aws = path.join(args.state, 'aws');
  return {
    AWS_ENDPOINT_URL: endpoint ?? 'http://127.0.0.1:9',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: path.join(aws, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(aws, 'credentials'),
  };
}

/** process.env without the AWS variables that would override awsEnv's (a profile, per-service endpoints). */
function envWithoutAws() {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name === 'AWS_PROFILE' || name === 'AWS_SESSION_TOKEN' || name.startsWith('AWS_ENDPOINT_URL_')) {
      delete env[name];
    }
  }
  return env;
}

async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Starts `moto_server` on 127.0.0.1 in its own process group and resolves once it listens (werkzeug prints the
 * address). Its pid is written to <state>/moto.pid (as code-server's is to code-server.pid), so the calling script
 * can stop it even if this process is killed outright.
 */
async function startMoto() {
  if (!args['moto-server'] || !args.python) {
    throw new Error('the deploy step needs --moto-server and --python');
  }
  const port = await freePort();
  const child = spawn(args['moto-server'], ['-H', '127.0.0.1', '-p', String(port)], {
    env: envWithoutAws(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logFile = await fs.open(path.join(args.artifacts, 'moto.log'), 'w');
  const moto = { child, logFile, endpoint: `http://127.0.0.1:${port}` };
  await fs.writeFile(path.join(args.state, 'moto.pid'), String(child.pid));
  const listening = new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk) => {
      void logFile.write(chunk);
      buffered += chunk.toString();
      if (buffered.includes(`127.0.0.1:${port}`)) {
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`moto_server exited with ${code} before listening; see moto.log`)));
    child.on('error', reject);
    setTimeout(() => reject(new Error('moto_server did not listen within 60 s; see moto.log')), STEP_TIMEOUT_MS).unref();
  });
  try {
    await listening;
  } catch (err) {
    await stopProcessGroup(moto);
    throw err;
  }
  console.log(`moto at ${moto.endpoint}`);
  return moto;
}

/** Runs a boto3 script (boto3 and json imported) against moto; resolves with its stdout. */
async function boto(moto, script) {
  const { stdout } = await promisify(execFile)(args.python, ['-c', `import boto3, json\n${script}`], {
    env: { ...envWithoutAws(), ...awsEnv(moto.endpoint) },
  });
  return stdout.trim();
}

/** The bucket for the deploy's artifacts, which `sam deploy --guided` would have created. */
async function createBucket(moto) {
  await boto(moto, `boto3.client('s3').create_bucket(Bucket=${JSON.stringify(BUCKET)})`);
}

// ---------------------------------------------------------------------------------------------------------------
// code-server

/**
 * Starts code-server on a port the OS picks (bound to 127.0.0.1), with telemetry, update checks and the extension
 * gallery pointed at nothing, and resolves with its URL once it prints that it listens.
 */
async function startCodeServer(moto) {
  const state = args.state;
  const env = {
    ...envWithoutAws(),
    ...awsEnv(moto?.endpoint),
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
  await fs.writeFile(path.join(args.state, 'code-server.pid'), String(child.pid));
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

/**
 * Stops a process started in its own group (code-server, moto) with everything it started, and closes its log. The
 * group is signalled even when its leader has exited, since what the leader started may still run; the log is
 * closed at most once, as this runs both on a signal and at the end.
 */
async function stopProcessGroup(proc) {
  if (!proc) {
    return;
  }
  const running = proc.child.exitCode === null && proc.child.signalCode === null;
  const exited = running ? once(proc.child, 'exit') : Promise.resolve();
  const signal = (name) => {
    try {
      process.kill(-proc.child.pid, name);
    } catch {
      // The group is gone.
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  proc.closing ??= proc.logFile.close().catch(() => {});
  await proc.closing;
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

/**
 * Runs a command from the command palette by its label, as a person would. The palette lists the commands known
 * when it opens; one contributed by a part of the workbench that is still loading (the Extensions view's, on a busy
 * machine) is missing from that list, so the palette is reopened until the command shows or the step's time is up.
 */
async function runCommand(page, label) {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const input = await openQuickInput(page, 'F1');
    await input.fill(`>${label}`);
    try {
      await row.waitFor({ state: 'visible', timeout: 10_000 });
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`the command palette does not offer "${label}": ${err.message}`);
      }
      await page.keyboard.press('Escape');
      await input.waitFor({ state: 'hidden' });
      continue;
    }
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
    return;
  }
}

/** Opens a workspace file through Quick Open and waits until its editor tab is active. */
async function openFile(page, relPath) {
  const input = await openQuickInput(page, 'F1');
  await input.fill(relPath);
  const dir = path.dirname(relPath);
  const rows = page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(relPath) });
  // A file at the workspace root has no folder shown beside its name; a file of the same name elsewhere does. The
  // row is clicked rather than Enter pressed: recently opened files of the same name are listed first.
  const row = (
    dir === '.'
      ? rows.filter({ hasNot: page.locator('.label-description', { hasText: /\S/ }) })
      : rows.filter({ hasText: dir })
  ).first();
  await row.waitFor({ state: 'visible' });
  await row.click();
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

/** The notification toast (bottom right) whose text matches `text`. */
function toast(page, text) {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
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

async function waitForOutput(page, pattern, what, timeout = STEP_TIMEOUT_MS) {
  await page.waitForFunction(
    (source) => {
      const el = document.querySelector('.panel .output-view .view-lines');
      return !!el && new RegExp(source).test(el.textContent.replace(/\u00a0/g, ' '));
    },
    pattern.source,
    { timeout },
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

  /**
   * The "Deploy" code lens on the example template, against moto, in a project without samconfig.toml. First the
   * question for the stack name is dismissed: the deploy stops with no error notification. Then both questions
   * (stack name, bucket; the first answer invalid once) are answered: the extension's progress notification, the
   * server's change-set question answered with its Deploy button, the stack events in the samwise output channel,
   * the settings saved to samconfig.toml, and the stack in moto afterwards (asked with boto3, not through samwise).
   */
  async deploy(page, snap, { moto }) {
    await fs.rm(path.join(args.workspace, 'samconfig.toml'), { force: true });
    const editor = await openFile(page, 'template.yaml');
    const lens = editor.locator('.codelens-decoration a', { hasText: /^Deploy$/ }).first();
    const stackQuestion = page.locator('.quick-input-widget', { hasText: 'CloudFormation stack' });
    const input = page.locator('.quick-input-widget input.input');
    await lens.waitFor({ state: 'visible' });
    await lens.click();
    await stackQuestion.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    await snap('asked-stack');
    await page.keyboard.press('Escape');
    await waitForOutput(page, /Deploy of template\.yaml cancelled: no stackName given\./, 'the dismissed question');
    await toast(page, 'samwise: deploying template.yaml').waitFor({ state: 'hidden' });
    const errors = await page.locator('.notifications-toasts .notification-toast').filter({ has: page.locator('.codicon-error') }).allInnerTexts();
    if (errors.length !== 0) {
      throw new Error(`a dismissed question is not an error, but ${errors.length} error notifications show: ${errors.join(' / ')}`);
    }

    await lens.click();
    await stackQuestion.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    await input.fill('1-not-a-stack');
    await page.locator('.quick-input-widget', { hasText: 'starts with a letter' }).waitFor({ state: 'visible' });
    await input.fill(STACK);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget', { hasText: 'S3 bucket' }).waitFor({ state: 'visible', timeout: DEPLOY_TIMEOUT_MS });
    await snap('asked-bucket');
    await input.fill(BUCKET);
    await page.keyboard.press('Enter');
    await toast(page, 'samwise: deploying template.yaml').waitFor({ state: 'visible' });
    await snap('progress');
    // The question comes once the code is packaged (pip installs requirements.txt) and uploaded, and the change
    // set is created; that takes a while on a busy machine.
    const question = toast(page, `Deploy this change set to stack ${STACK}?`);
    await question.waitFor({ state: 'visible', timeout: DEPLOY_TIMEOUT_MS });
    const asked = (await question.innerText()).replace(/\u00a0/g, ' ');
    console.log(`  asked: ${asked.split('\n').join(' | ')}`);
    if (!/GreetingFunction/.test(asked)) {
      throw new Error(`the change-set question does not list GreetingFunction: ${asked}`);
    }
    // The progress notification shows the server's latest step, which is the change set it asks about.
    await toast(page, 'samwise: deploying template.yaml')
      .filter({ hasText: /Change set \S+ \(new stack\)/ })
      .waitFor({ state: 'visible' })
      .catch(async (err) => {
        const shown = await toast(page, 'samwise: deploying template.yaml').innerText().catch(() => '(gone)');
        throw new Error(`the progress notification does not show the change set: ${shown} (${err.message})`);
      });
    await snap('confirm');
    await question.getByRole('button', { name: 'Deploy', exact: true }).click();
    await waitForOutput(page, new RegExp(`CREATE_COMPLETE AWS::CloudFormation::Stack ${STACK}`), 'the stack events', DEPLOY_TIMEOUT_MS);
    await waitForOutput(page, /Deploy of template\.yaml finished\./, 'the end of the deploy');
    await toast(page, `Stack ${STACK} is CREATE_COMPLETE`).waitFor({ state: 'visible' });
    const shown = await outputText(page);
    console.log(`  output:\n    ${shown.split('\n').join('\n    ')}`);
    if (shown.includes(SECRET_ACCESS_KEY)) {
      throw new Error('the secret access key is in the output channel');
    }
    await snap('events');
    const saved = await fs.readFile(path.join(args.workspace, 'samconfig.toml'), 'utf8').catch(() => '(no samconfig.toml)');
    if (!saved.includes(`"${STACK}"`) || !saved.includes(`"${BUCKET}"`)) {
      throw new Error(`the answers were not saved to samconfig.toml: ${saved}`);
    }
    const status = await boto(moto, `print(boto3.client('cloudformation').describe_stacks(StackName='${STACK}')['Stacks'][0]['StackStatus'])`);
    const keys = JSON.parse(
      await boto(moto, `print(json.dumps([o['Key'] for o in boto3.client('s3').list_objects_v2(Bucket='${BUCKET}').get('Contents', [])]))`),
    );
    console.log(`  moto: stack ${STACK} is ${status}; s3://${BUCKET} holds ${keys.join(', ')}`);
    if (status !== 'CREATE_COMPLETE') {
      throw new Error(`moto reports stack ${STACK} as ${status}, not CREATE_COMPLETE`);
    }
    if (!keys.some((k) => k.startsWith(`${STACK}/`) && k.endsWith('.zip'))) {
      throw new Error(`no code zip under ${STACK}/ in s3://${BUCKET}: ${keys.join(', ')}`);
    }
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
  let moto;
  let browser;
  const failed = [];
  let passed = 0;
  const stopAll = async () => {
    await browser?.close().catch(() => {});
    await stopProcessGroup(server);
    await stopProcessGroup(moto);
    // Stopped: the script's clean-up must not signal these process groups, whose ids may be reused by now.
    for (const name of ['code-server', 'moto']) {
      await fs.rm(path.join(args.state, `${name}.pid`), { force: true });
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      void stopAll().finally(() => process.exit(130));
    });
  }
  try {
    if (steps.includes('deploy')) {
      moto = await startMoto();
      await createBucket(moto);
    }
    server = await startCodeServer(moto);
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
        // Animations are finished at once for the picture, or a notification that just appeared is caught half faded in.
        const snap = (label) =>
          page.screenshot({
            path: path.join(args.artifacts, `${String(n).padStart(2, '0')}-${step}-${label}.png`),
            animations: 'disabled',
          });
        await STEPS[step](page, snap, { moto });
        await page.screenshot({ path: shot, animations: 'disabled' });
        console.log(`ok ${n} - ${step} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        passed += 1;
      } catch (err) {
        await page.screenshot({ path: shot, animations: 'disabled' }).catch(() => {});
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
