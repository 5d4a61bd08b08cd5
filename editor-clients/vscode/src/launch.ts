// Launch configurations of the `samwise` debug type: finding the Lambda functions of a SAM/CloudFormation template,
// building one configuration per function, and checking a configuration before it reaches the debug adapter.
// The shape follows the AWS Toolkit's `aws-sam` direct-invoke configurations, so existing launch.json entries can be
// reused by changing only `type`. This file does not import `vscode` so node's test runner can exercise it.

import * as path from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';

/** A function resource of a template, as far as a launch configuration needs it. */
export interface TemplateFunction {
  logicalId: string;
  /** `AWS::Serverless::Function` or `AWS::Lambda::Function`. */
  type: string;
  handler?: string;
  runtime?: string;
}

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);

function scalarString(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/**
 * Lists the function resources of a template in document order. Templates are often half-written, so this reads
 * whatever YAML (or JSON, a subset of YAML) parses and never throws; CloudFormation's short-form tags (`!Ref`, `!Sub`,
 * ...) are unknown to the YAML library and only produce warnings, which is why they need no special handling.
 * `Globals.Function` supplies Handler and Runtime where a serverless function leaves them out, as SAM does.
 */
export function findFunctions(text: string): TemplateFunction[] {
  let doc;
  try {
    doc = parseDocument(text, { strict: false, uniqueKeys: false, prettyErrors: false });
  } catch {
    return [];
  }
  const root = doc.contents;
  if (!isMap(root)) {
    return [];
  }
  const resources = root.get('Resources');
  if (!isMap(resources)) {
    return [];
  }
  const globals = root.get('Globals');
  const globalFn = isMap(globals) ? globals.get('Function') : undefined;
  const globalProp = (key: string) => (isMap(globalFn) ? scalarString(globalFn.get(key, true)) : undefined);

  const out: TemplateFunction[] = [];
  for (const item of resources.items) {
    const logicalId = scalarString(item.key) ?? (isScalar(item.key) ? String(item.key.value) : undefined);
    if (!logicalId || !isMap(item.value)) {
      continue;
    }
    const type = scalarString(item.value.get('Type', true));
    if (!type || !FUNCTION_TYPES.has(type)) {
      continue;
    }
    const props = item.value.get('Properties');
    const prop = (key: string) => (isMap(props) ? scalarString(props.get(key, true)) : undefined);
    const serverless = type === 'AWS::Serverless::Function';
    out.push({
      logicalId,
      type,
      handler: prop('Handler') ?? (serverless ? globalProp('Handler') : undefined),
      runtime: prop('Runtime') ?? (serverless ? globalProp('Runtime') : undefined),
    });
  }
  return out;
}

/** Whether the function can run under samwise's local runtime (Python only); an unknown runtime is given a try. */
export function isPythonFunction(fn: TemplateFunction): boolean {
  return fn.runtime === undefined || fn.runtime.startsWith('python');
}

/** The launch configuration of one template function, as stored in launch.json. */
export interface SamwiseLaunchConfig {
  type: 'samwise';
  request: 'direct-invoke';
  name: string;
  invokeTarget:
    | { target: 'template'; templatePath: string; logicalId: string }
    | { target: 'code'; lambdaHandler: string; projectRoot: string };
  lambda?: {
    payload?: { json?: unknown; path?: string };
    environmentVariables?: Record<string, string>;
    runtime?: string;
    timeoutSec?: number;
    memoryMb?: number;
  };
  sam?: { template?: { parameters?: Record<string, string | number> } };
  aws?: { region?: string; credentials?: string };
  pythonPath?: string;
  stopOnEntry?: boolean;
  [key: string]: unknown;
}

/** Forward slashes, so configurations written on one OS read the same on another. */
function portable(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * Builds the configuration for `fn` of the template at `templatePath`. Paths inside the workspace folder are written
 * relative to `${workspaceFolder}` so the configuration survives moving the project. `eventFile`, when given, becomes
 * the payload; otherwise the function receives an empty JSON object, which every handler can at least be started with.
 */
export function configurationFor(
  workspaceFolder: string,
  templatePath: string,
  fn: TemplateFunction,
  eventFile?: string,
): SamwiseLaunchConfig {
  const inFolder = (p: string) => {
    const rel = path.relative(workspaceFolder, p);
    return rel.startsWith('..') || path.isAbsolute(rel) ? portable(p) : `\${workspaceFolder}/${portable(rel)}`;
  };
  const relTemplate = portable(path.relative(workspaceFolder, templatePath));
  return {
    type: 'samwise',
    request: 'direct-invoke',
    name: `${fn.logicalId} (${relTemplate.startsWith('..') ? path.basename(templatePath) : relTemplate})`,
    invokeTarget: { target: 'template', templatePath: inFolder(templatePath), logicalId: fn.logicalId },
    lambda: {
      payload: eventFile ? { path: inFolder(eventFile) } : { json: {} },
      environmentVariables: {},
    },
  };
}

/**
 * The configuration as the debug adapter receives it. VS Code starts sessions only for `launch` and `attach`
 * requests, while aws-sam configurations say `direct-invoke`; both mean "run this function under the debugger", so
 * `direct-invoke` becomes `launch` and every other attribute passes through unchanged.
 */
export function toLaunchRequest<T extends { request?: unknown }>(config: T): T {
  return config.request === 'direct-invoke' ? { ...config, request: 'launch' } : config;
}

/**
 * Checks a configuration (after VS Code substituted its variables) and returns the problems a user must fix, each
 * naming the field. The debug adapter checks again; doing it here lets VS Code show the message before a session
 * starts.
 */
export function validateConfiguration(config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (config.request !== undefined && config.request !== 'direct-invoke' && config.request !== 'launch') {
    problems.push(`"request" is ${JSON.stringify(config.request)}: use "direct-invoke" (or "launch").`);
  }
  const target = config.invokeTarget as Record<string, unknown> | undefined;
  if (!target || typeof target !== 'object') {
    problems.push('"invokeTarget" is missing: add {"target": "template", "templatePath": ..., "logicalId": ...}.');
  } else if (target.target === 'template') {
    if (typeof target.templatePath !== 'string' || !target.templatePath) {
      problems.push('"invokeTarget.templatePath" is missing: give the path of the SAM template.');
    }
    if (typeof target.logicalId !== 'string' || !target.logicalId) {
      problems.push('"invokeTarget.logicalId" is missing: give the logical ID of the function resource.');
    }
  } else if (target.target === 'code') {
    if (typeof target.lambdaHandler !== 'string' || !target.lambdaHandler) {
      problems.push('"invokeTarget.lambdaHandler" is missing: give the handler, e.g. "app.lambda_handler".');
    }
    if (typeof target.projectRoot !== 'string' || !target.projectRoot) {
      problems.push('"invokeTarget.projectRoot" is missing: give the folder that contains the handler module.');
    }
  } else {
    problems.push(
      `"invokeTarget.target" is ${JSON.stringify(target.target)}: use "template" or "code" ` +
        '(samwise runs functions directly, without an API or Step Functions target).',
    );
  }
  const lambda = config.lambda as Record<string, unknown> | undefined;
  const payload = lambda?.payload as Record<string, unknown> | undefined;
  if (payload && payload.json !== undefined && payload.path !== undefined) {
    problems.push('"lambda.payload" has both "json" and "path": keep one.');
  }
  return problems;
}
