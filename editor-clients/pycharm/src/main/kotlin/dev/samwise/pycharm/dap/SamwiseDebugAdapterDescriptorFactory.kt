// samwise-dap for LSP4IJ's debugger: the factory named by the `debugAdapterServer` extension in plugin.xml and
// the launch configuration it offers in LSP4IJ's "Debug Adapter Protocol" run configuration. API from LSP4IJ's
// docs/dap/DeveloperGuide.md and dap/descriptors/DebugAdapterDescriptorFactory.java (createDebugAdapterDescriptor,
// getServerDefinition, getLaunchConfigurations, LaunchConfiguration(id, name, json, DebugMode)).
package dev.samwise.pycharm.dap

import com.intellij.execution.runners.ExecutionEnvironment
import com.redhat.devtools.lsp4ij.dap.DebugMode
import com.redhat.devtools.lsp4ij.dap.LaunchConfiguration
import com.redhat.devtools.lsp4ij.dap.configurations.DAPRunConfigurationOptions
import com.redhat.devtools.lsp4ij.dap.descriptors.DebugAdapterDescriptor
import com.redhat.devtools.lsp4ij.dap.descriptors.DebugAdapterDescriptorFactory

class SamwiseDebugAdapterDescriptorFactory : DebugAdapterDescriptorFactory() {
    override fun createDebugAdapterDescriptor(
        options: DAPRunConfigurationOptions,
        environment: ExecutionEnvironment,
    ): DebugAdapterDescriptor = SamwiseDebugAdapterDescriptor(options, environment, serverDefinition)

    override fun getLaunchConfigurations(): List<LaunchConfiguration> =
        listOf(LaunchConfiguration("samwise-template", "SAM function from a template", LAUNCH_TEMPLATE, DebugMode.LAUNCH))

    companion object {
        /** The launch configuration a user starts from: the AWS Toolkit's `aws-sam` direct-invoke fields that
         *  samwise-dap reads (dap-adapter/src/dap/launch.rs). `${workspaceFolder}` is substituted by LSP4IJ. */
        // language=json
        const val LAUNCH_TEMPLATE = """{
  "type": "samwise",
  "request": "launch",
  "name": "Invoke function",
  "invokeTarget": {
    "target": "template",
    "templatePath": "template.yaml",
    "logicalId": "MyFunction"
  },
  "lambda": {
    "payload": { "path": "events/event.json" }
  },
  "cwd": "${'$'}{workspaceFolder}"
}"""
    }
}
