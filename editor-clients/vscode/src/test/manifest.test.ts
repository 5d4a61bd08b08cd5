// Checks that package.json declares what the code relies on: the binary path settings, every attribute the
// configuration builder writes, valid initial configurations and snippets, and the activation events.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { SETTING_OF } from '../binaries';
import { configurationFor, validateConfiguration } from '../launch';

// Compiled tests run from out/test/, two levels below the package root.
const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
const debuggerContribution = manifest.contributes.debuggers.find((d: { type: string }) => d.type === 'samwise');

test('the binary path settings are declared', () => {
  const declared = Object.keys(manifest.contributes.configuration.properties);
  for (const setting of Object.values(SETTING_OF)) {
    assert.ok(declared.includes(setting), `${setting} is not declared in package.json`);
  }
  assert.ok(declared.includes('samwise.trace.server'));
});

test('every attribute of a built configuration is declared for the samwise debug type', () => {
  const config = configurationFor('/ws', '/ws/template.yaml', { logicalId: 'F', type: 'AWS::Serverless::Function' }, '/ws/e.json');
  const props = debuggerContribution.configurationAttributes[config.request].properties;
  for (const key of Object.keys(config).filter((k) => !['type', 'request', 'name'].includes(k))) {
    assert.ok(props[key], `attribute ${key} is not declared`);
  }
  for (const key of Object.keys(config.invokeTarget)) {
    assert.ok(props.invokeTarget.properties[key], `invokeTarget.${key} is not declared`);
  }
  for (const key of Object.keys(config.lambda ?? {})) {
    assert.ok(props.lambda.properties[key], `lambda.${key} is not declared`);
  }
});

test('the aws-sam direct-invoke attributes and samwise extras are all declared', () => {
  const props = debuggerContribution.configurationAttributes['direct-invoke'].properties;
  assert.deepEqual(Object.keys(props).sort(), ['aws', 'invokeTarget', 'lambda', 'pythonPath', 'sam', 'stopOnEntry']);
  assert.deepEqual(Object.keys(props.lambda.properties).sort(), [
    'environmentVariables', 'memoryMb', 'payload', 'runtime', 'timeoutSec',
  ]);
});

test('launch accepts the same attributes as direct-invoke', () => {
  const attrs = debuggerContribution.configurationAttributes;
  assert.deepEqual(attrs.launch, attrs['direct-invoke']);
});

test('initial configurations and snippets are valid configurations', () => {
  for (const config of debuggerContribution.initialConfigurations) {
    assert.deepEqual(validateConfiguration(config), [], config.name);
  }
  for (const snippet of debuggerContribution.configurationSnippets) {
    assert.deepEqual(validateConfiguration(snippet.body), [], snippet.label);
  }
});

test('activation is limited to SAM workspaces and the samwise debug type', () => {
  for (const event of manifest.activationEvents as string[]) {
    assert.match(event, /^(workspaceContains:.*(template|samconfig)|onDebug)/, event);
  }
  assert.ok(manifest.activationEvents.includes('onDebugResolve:samwise'));
});
