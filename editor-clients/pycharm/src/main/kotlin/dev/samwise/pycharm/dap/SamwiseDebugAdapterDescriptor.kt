// How LSP4IJ starts and talks to samwise-dap for one debug session: `samwise-dap --port N` on a free port LSP4IJ
// picks (the `${port}` placeholder of createStartServerCommandLine), connected once samwise-dap prints
// `listening on 127.0.0.1:N` (dap-adapter/src/dap/mod.rs). The launch arguments are the run configuration's JSON.
// API from LSP4IJ's dap/descriptors/DebugAdapterDescriptor.java and dap/client/LaunchUtils.java.
//
// Nothing here waits for `exited`, `thread` or `continued` events or uses `pause`: LSP4IJ's DAP client does not
// handle them, and samwise-dap's session ends with `terminated`, which it does.
package dev.samwise.pycharm.dap

import com.intellij.execution.ExecutionException
import com.intellij.execution.configurations.RunConfigurationOptions
import com.intellij.execution.process.ProcessHandler
import com.intellij.execution.runners.ExecutionEnvironment
import com.intellij.openapi.fileTypes.FileType
import com.intellij.openapi.fileTypes.FileTypeManager
import com.redhat.devtools.lsp4ij.dap.DebugMode
import com.redhat.devtools.lsp4ij.dap.client.LaunchUtils
import com.redhat.devtools.lsp4ij.dap.configurations.DAPRunConfigurationOptions
import com.redhat.devtools.lsp4ij.dap.definitions.DebugAdapterServerDefinition
import com.redhat.devtools.lsp4ij.dap.descriptors.DebugAdapterDescriptor
import com.redhat.devtools.lsp4ij.dap.descriptors.ServerReadyConfig
import dev.samwise.pycharm.BinaryNotFoundException
import dev.samwise.pycharm.SamwiseBinaries
import dev.samwise.pycharm.settings.SamwiseSettings

class SamwiseDebugAdapterDescriptor(
    options: RunConfigurationOptions,
    environment: ExecutionEnvironment,
    serverDefinition: DebugAdapterServerDefinition?,
) : DebugAdapterDescriptor(options, environment, serverDefinition) {

    override fun startServer(): ProcessHandler {
        val dap = try {
            SamwiseBinaries.dap()
        } catch (e: BinaryNotFoundException) {
            throw ExecutionException(e.message)
        }
        // Quoted: the command string is split like a shell would, and install paths can contain spaces.
        return startServer(createStartServerCommandLine("\"$dap\" --port ${'$'}{port}"))
    }

    override fun getDapParameters(): Map<String, Any> {
        val parameters = LaunchUtils.getDapParameters(options as DAPRunConfigurationOptions).toMutableMap()
        // The plugin's interpreter setting, unless the configuration names its own.
        val python = SamwiseSettings.get().state.pythonPath
        if (python.isNotBlank() && !parameters.containsKey("pythonPath")) parameters["pythonPath"] = python
        return parameters
    }

    override fun getServerReadyConfig(debugMode: DebugMode): ServerReadyConfig = ServerReadyConfig(READY_LINE)

    /** Breakpoints in Python files belong to this adapter. */
    override fun getFileType(): FileType? = FileTypeManager.getInstance().findFileTypeByName("Python")

    companion object {
        /** What samwise-dap --port prints once it accepts connections; LSP4IJ reads the address from it. */
        const val READY_LINE = "listening on ${'$'}{address}:${'$'}{port}"
    }
}
