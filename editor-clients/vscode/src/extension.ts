// The samwise VS Code extension: starts samwise-lsp for templates and Python files, contributes the `samwise` debug
// type served by samwise-dap, and runs the server's code-lens commands (invoke, debug, deploy). All analysis lives in
// the binaries; this file only wires VS Code to them. Logic that needs no VS Code is in binaries.ts, launch.ts and
// invoke.ts, where node's test runner covers it.

import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  ResponseError,
  type ServerOptions,
  WorkDoneProgress,
} from 'vscode-languageclient/node';
import { BinaryError, type BinaryName, checkVersion, describe, findBinary, type FoundBinary, SETTING_OF } from './binaries';
import { deployOptions, missingSettingOf, questionFor } from './deploy';
import { emptyEventFile, eventFilesFor, invokeArgs, runInvoke } from './invoke';
import { configurationFor, findFunctions, isPythonFunction, toLaunchRequest, validateConfiguration } from './launch';

/** Template-like files the server is started for; the server itself ignores YAML/JSON that is not a template. */
const TEMPLATE_GLOB = '**/*.{yaml,yml,json,template}';
const EXCLUDE_GLOB = '**/{node_modules,.git,.aws-sam,target,.venv,venv,.tox}/**';

let client: LanguageClient | undefined;
/** The stand-in for `samwise.deploy` while the running server does not offer that command (see startClient). */
let deployFallback: vscode.Disposable | undefined;
let log: vscode.LogOutputChannel;
/** Numbers the progress tokens of deploy runs; a token must not be reused while a run may still report on it. */
let deployRuns = 0;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  log = vscode.window.createOutputChannel('samwise', { log: true });
  const invokeLog = vscode.window.createOutputChannel('samwise: invoke');
  context.subscriptions.push(log, invokeLog);

  const binaries = new Binaries(context.extensionPath);
  context.subscriptions.push(
    vscode.commands.registerCommand('samwise.invokeLocally', (template: unknown, logicalId: unknown) =>
      requireTrust('Invoke locally', () => invokeLocally(binaries, invokeLog, template, logicalId)),
    ),
    vscode.commands.registerCommand('samwise.debugLocally', (template: unknown, logicalId: unknown) =>
      requireTrust('Debug locally', () => debugLocally(template, logicalId)),
    ),
    vscode.commands.registerCommand('samwise.showOutput', () => log.show()),
    vscode.commands.registerCommand('samwise.restartServer', async () => {
      await client?.stop();
      client = undefined;
      binaries.forget();
      await startClient(context, binaries);
    }),
    // One provider resolves and offers initial configurations; the second only lists the same configurations in
    // the Run and Debug picker (registering the resolver twice would resolve every configuration twice).
    vscode.debug.registerDebugConfigurationProvider('samwise', new ConfigurationProvider(), vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(
      'samwise',
      { provideDebugConfigurations: (folder) => new ConfigurationProvider().provideDebugConfigurations(folder) },
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
    vscode.debug.registerDebugAdapterDescriptorFactory('samwise', new AdapterFactory(binaries)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('samwise.server.path') || e.affectsConfiguration('samwise.debugAdapter.path')) {
        binaries.forget();
      }
    }),
  );

  await startClient(context, binaries);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

/** Finds, version-checks and caches each binary once per session (again after a path setting changes). */
class Binaries {
  private readonly cache = new Map<BinaryName, Promise<FoundBinary>>();
  constructor(private readonly extensionPath: string) {}

  forget(): void {
    this.cache.clear();
  }

  get(name: BinaryName): Promise<FoundBinary> {
    let found = this.cache.get(name);
    if (!found) {
      found = this.discover(name);
      // A failure is not cached: the user may install the binary and try again without reloading.
      found.catch(() => this.cache.delete(name));
      this.cache.set(name, found);
    }
    return found;
  }

  private async discover(name: BinaryName): Promise<FoundBinary> {
    const settingName = SETTING_OF[name];
    const [section, ...rest] = settingName.split('.');
    const setting = vscode.workspace.getConfiguration(section).get<string>(rest.join('.'));
    const found = await findBinary({
      name,
      setting,
      settingName,
      extensionPath: this.extensionPath,
      pathEnv: process.env.PATH,
    });
    const version = await checkVersion(found);
    log.appendLine(`Using ${describe(found, version)}`);
    return found;
  }
}

/** Shows a binary problem with buttons that lead to the fix, and logs it. */
async function reportBinaryError(err: unknown, name: BinaryName): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  log.appendLine(`Error: ${message}`);
  if (!(err instanceof BinaryError)) {
    void vscode.window.showErrorMessage(`samwise: ${message}`);
    return;
  }
  const choice = await vscode.window.showErrorMessage(`samwise: ${message}`, 'Open Settings', 'Show Log');
  if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', SETTING_OF[name]);
  } else if (choice === 'Show Log') {
    log.show();
  }
}

async function startClient(context: vscode.ExtensionContext, binaries: Binaries): Promise<void> {
  let server: FoundBinary;
  try {
    server = await binaries.get('samwise-lsp');
  } catch (err) {
    // Not awaited: the message waits for the user's click, and activation must not wait for it.
    void reportBinaryError(err, 'samwise-lsp');
    return;
  }
  const serverOptions: ServerOptions = { command: server.path, args: ['--stdio'] };
  const clientOptions: LanguageClientOptions = {
    // Patterns rather than new language ids: templates stay `yaml`/`json` for every other extension.
    documentSelector: [
      { scheme: 'file', pattern: TEMPLATE_GLOB },
      { scheme: 'file', pattern: '**/*.py' },
      // Node.js handlers: the template/code cross-checks (handler signature, environment variables) cover them.
      { scheme: 'file', pattern: '**/*.{js,mjs,cjs}' },
    ],
    // `workspace/configuration` requests for section `samwise` are answered from these settings by the client
    // library; this also sends `workspace/didChangeConfiguration` when they change.
    synchronize: { configurationSection: 'samwise' },
    outputChannel: log,
    middleware: {
      executeCommand: async (command, args, next) => {
        if (command !== 'samwise.deploy' || !client) {
          return next(command, args);
        }
        const running = client;
        return requireTrust('Deploy', () => deploy(running, args));
      },
    },
  };
  // A restarted server may offer the command the previous one did not; the client library must be free to register it.
  deployFallback?.dispose();
  deployFallback = undefined;
  client = new LanguageClient('samwise', 'samwise', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    log.appendLine(`Error: samwise-lsp did not start: ${err instanceof Error ? err.message : String(err)}`);
    void vscode.window.showErrorMessage(`samwise: the language server did not start. See the samwise output.`);
    return;
  }
  // The server runs deploy itself (it reports progress and asks for confirmation through LSP); the client library
  // registers the command when the server announces it. A server that does not must still answer the lens clearly.
  const serverCommands = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  if (!serverCommands.includes('samwise.deploy')) {
    deployFallback = vscode.commands.registerCommand('samwise.deploy', () =>
      vscode.window.showErrorMessage(
        `samwise: ${server.path} does not run deploys (it does not offer the "samwise.deploy" command). ` +
          'Update samwise-lsp to a version that does, or point "samwise.server.path" at one.',
      ),
    );
    context.subscriptions.push(deployFallback);
  }
}

/**
 * Deploy is the server's command; this shows its progress in a notification and keeps its log visible meanwhile.
 * The request is sent here rather than through the client library's command handler: on an error answer that
 * handler adds its own "Request workspace/executeCommand failed." notification to the one the server shows. It also
 * carries a progress token of ours, so the server reports each step (upload, change set, stack event) into this
 * notification instead of creating a progress that the client library shows only in the status bar.
 * A project without samconfig.toml has no stack name or bucket: the server names the missing setting (it shows no
 * error then, as the request says the extension asks), the user is asked, and the deploy runs again with the answer.
 */
async function deploy(running: LanguageClient, args: unknown[]) {
  // The server shows every failure of a deploy it started, but not a malformed request, which it refuses before
  // starting; so the arguments are checked here, where the lens's are always right.
  if (typeof args[0] !== 'string') {
    void vscode.window.showErrorMessage('samwise: Deploy needs a template path; run it from the code lens above a template.');
    return undefined;
  }
  const template = path.basename(toFsPath(args[0]));
  log.appendLine(`Deploying ${template}...`);
  log.show(true);
  let options = deployOptions(args);
  for (;;) {
    const outcome = await deployOnce(running, template, [args[0], options]);
    if (outcome.kind === 'done') {
      return outcome.result;
    }
    const question = questionFor(outcome.error, options);
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    if (!question) {
      log.appendLine(`Deploy of ${template} failed: ${message}`);
      // An error answer is the server's, which has shown it already (window/showMessage) unless it names a setting
      // to ask for; anything else, such as the server stopping mid-deploy, has not been shown yet.
      const shown = outcome.error instanceof ResponseError && missingSettingOf(outcome.error) === undefined;
      if (!shown) {
        void vscode.window.showErrorMessage(`samwise: deploy of ${template} failed: ${message}`);
      }
      return undefined;
    }
    log.appendLine(`Deploy of ${template} needs a setting: ${message}`);
    const answer = await vscode.window.showInputBox({
      title: `samwise: deploy ${template}`,
      prompt: question.prompt,
      placeHolder: question.placeHolder,
      ignoreFocusOut: true,
      validateInput: (value) => question.validate(value.trim()),
    });
    if (answer === undefined) {
      log.appendLine(`Deploy of ${template} cancelled: no ${question.setting} given.`);
      return undefined;
    }
    options = { ...options, [question.setting]: answer.trim() };
  }
}

/** One `samwise.deploy` request, its progress shown in a notification of its own. */
async function deployOnce(
  running: LanguageClient,
  template: string,
  args: unknown[],
): Promise<{ kind: 'done'; result: unknown } | { kind: 'failed'; error: unknown }> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `samwise: deploying ${template}` },
    async (progress) => {
      // A token per run: a token must not be reused while a run may still report on it.
      const token = `samwise.vscode.deploy/${++deployRuns}`;
      const reports = running.onProgress(WorkDoneProgress.type, token, (value) => {
        if (value.kind === 'report' && value.message) {
          progress.report({ message: value.message });
        }
      });
      try {
        const result = await running.sendRequest(ExecuteCommandRequest.type, {
          command: 'samwise.deploy',
          arguments: args,
          workDoneToken: token,
        });
        log.appendLine(`Deploy of ${template} finished.`);
        return { kind: 'done' as const, result };
      } catch (error) {
        return { kind: 'failed' as const, error };
      } finally {
        reports.dispose();
      }
    },
  );
}

/**
 * The Python the user chose for this workspace: `samwise.pythonPath` (which the server reads too), else the Python
 * extension's interpreter setting, the usual place a user names their virtualenv; undefined leaves the choice to
 * samwise-dap (`python3` on PATH).
 */
function pythonInterpreter(): string | undefined {
  const own = vscode.workspace.getConfiguration('samwise').get<string | null>('pythonPath');
  if (own) {
    return own;
  }
  const interpreter = vscode.workspace.getConfiguration('python').get<string>('defaultInterpreterPath');
  return interpreter && interpreter !== 'python' ? interpreter : undefined;
}

/** Invoking, debugging and deploying run the user's code and binaries from settings; only in trusted workspaces. */
async function requireTrust<T>(what: string, run: () => Promise<T>): Promise<T | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      `samwise: ${what} runs code from this workspace, so it is disabled until you trust the workspace.`,
    );
    return undefined;
  }
  return run();
}

/** Code-lens arguments carry the template as a path or a file URI, depending on the server. */
function toFsPath(template: string): string {
  return template.startsWith('file:') ? vscode.Uri.parse(template).fsPath : template;
}

function lensArguments(template: unknown, logicalId: unknown): { templatePath: string; logicalId: string } | undefined {
  if (typeof template !== 'string' || typeof logicalId !== 'string') {
    void vscode.window.showErrorMessage(
      'samwise: this command needs a template path and a function logical ID; run it from the code lens above a function.',
    );
    return undefined;
  }
  return { templatePath: toFsPath(template), logicalId };
}

async function invokeLocally(
  binaries: Binaries,
  out: vscode.OutputChannel,
  template: unknown,
  id: unknown,
): Promise<void> {
  const target = lensArguments(template, id);
  if (!target) {
    return;
  }
  let dap: FoundBinary;
  try {
    dap = await binaries.get('samwise-dap');
  } catch (err) {
    await reportBinaryError(err, 'samwise-dap');
    return;
  }
  const events = await eventFilesFor(target.templatePath);
  let eventFile: string | undefined;
  if (events.length === 1) {
    eventFile = events[0];
  } else if (events.length > 1) {
    const picked = await vscode.window.showQuickPick(
      events.map((e) => ({ label: path.basename(e), description: e, file: e })),
      { title: `Event for ${target.logicalId}` },
    );
    if (!picked) {
      return;
    }
    eventFile = picked.file;
  }
  const empty = eventFile ? undefined : await emptyEventFile();
  const event = eventFile ?? empty!.path;

  out.clear();
  out.show(true);
  out.appendLine(`Invoking ${target.logicalId} from ${target.templatePath} with ${eventFile ?? 'an empty event {}'}`);
  const cwd = path.dirname(target.templatePath);
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `samwise: invoking ${target.logicalId}`, cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        const outcome = await runInvoke(
          dap.path,
          invokeArgs(target.templatePath, target.logicalId, event, pythonInterpreter()),
          cwd,
          (line) => out.appendLine(line),
          abort.signal,
        );
        out.appendLine('');
        if (outcome.exitCode === 0) {
          out.appendLine(`Result of ${target.logicalId}:`);
          out.appendLine(outcome.stdout.trim());
        } else {
          out.appendLine(outcome.stdout.trim());
          out.appendLine(`${target.logicalId} failed: samwise-dap exited with code ${outcome.exitCode}.`);
          void vscode.window.showErrorMessage(`samwise: invoking ${target.logicalId} failed; see the output above.`);
        }
      },
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    out.appendLine(`Invoking ${target.logicalId} stopped: ${message}`);
  } finally {
    await empty?.dispose();
  }
}

async function debugLocally(template: unknown, id: unknown): Promise<void> {
  const target = lensArguments(template, id);
  if (!target) {
    return;
  }
  const uri = vscode.Uri.file(target.templatePath);
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  const fn = findFunctions(text).find((f) => f.logicalId === target.logicalId) ?? {
    logicalId: target.logicalId,
    type: 'AWS::Serverless::Function',
  };
  const events = await eventFilesFor(target.templatePath);
  const config = configurationFor(folder?.uri.fsPath ?? path.dirname(target.templatePath), target.templatePath, fn, events[0]);
  const started = await vscode.debug.startDebugging(folder, config);
  if (!started) {
    log.appendLine(`Debugging ${target.logicalId} did not start.`);
  }
}

/** One configuration per Python function found in the workspace folder's templates. */
class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const include = folder ? new vscode.RelativePattern(folder, TEMPLATE_GLOB) : TEMPLATE_GLOB;
    const files = await vscode.workspace.findFiles(include, EXCLUDE_GLOB, 200);
    const configs: vscode.DebugConfiguration[] = [];
    for (const file of files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
      let text: string;
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
      } catch {
        continue;
      }
      const root = folder?.uri.fsPath ?? vscode.workspace.getWorkspaceFolder(file)?.uri.fsPath ?? path.dirname(file.fsPath);
      const events = await eventFilesFor(file.fsPath);
      for (const fn of findFunctions(text).filter(isPythonFunction)) {
        configs.push(configurationFor(root, file.fsPath, fn, events[0]));
      }
    }
    return configs;
  }

  /** F5 without a launch.json: debug the first function of the active template, or of the workspace. */
  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    if (!config.type && !config.request && !config.name) {
      const configs = await this.provideDebugConfigurations(folder);
      const active = vscode.window.activeTextEditor?.document.uri.fsPath;
      const root = folder?.uri.fsPath ?? '';
      const templateOf = (c: vscode.DebugConfiguration) =>
        path.resolve(String(c.invokeTarget?.templatePath ?? '').replace('${workspaceFolder}', root));
      const chosen = configs.find((c) => active !== undefined && templateOf(c) === path.resolve(active)) ?? configs[0];
      if (!chosen) {
        void vscode.window.showErrorMessage('samwise: no Python Lambda function was found in this workspace\'s templates.');
        return undefined;
      }
      return toLaunchRequest(chosen);
    }
    // VS Code checks `request` right after this first resolution step, so the rename happens here.
    return toLaunchRequest(config);
  }

  resolveDebugConfigurationWithSubstitutedVariables(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.DebugConfiguration | undefined {
    const problems = validateConfiguration(config);
    if (problems.length > 0) {
      void vscode.window.showErrorMessage(`samwise: launch configuration "${config.name}": ${problems.join(' ')}`);
      return undefined;
    }
    if (!config.pythonPath) {
      const interpreter = pythonInterpreter();
      if (interpreter) {
        config.pythonPath = interpreter;
      }
    }
    log.appendLine(`Debugging "${config.name}" with ${config.pythonPath ?? 'python3 from PATH'}`);
    return config;
  }
}

class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly binaries: Binaries) {}

  async createDebugAdapterDescriptor(): Promise<vscode.DebugAdapterDescriptor | undefined> {
    try {
      const dap = await this.binaries.get('samwise-dap');
      return new vscode.DebugAdapterExecutable(dap.path, []);
    } catch (err) {
      await reportBinaryError(err, 'samwise-dap');
      return undefined;
    }
  }
}
