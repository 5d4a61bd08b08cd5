// Finding samwise-lsp and samwise-dap: the path in the settings, then the copy bundled in the plugin's bin/ folder,
// then PATH. The same order as the VS Code extension (editor-clients/vscode/src/binaries.ts).
package dev.samwise.pycharm

import com.intellij.execution.configurations.PathEnvironmentVariableUtil
import com.intellij.ide.plugins.PluginManagerCore
import com.intellij.openapi.extensions.PluginId
import com.intellij.openapi.util.SystemInfo
import dev.samwise.pycharm.settings.SamwiseSettings
import java.nio.file.Files
import java.nio.file.Path

const val PLUGIN_ID = "dev.samwise.pycharm"

/** A binary could not be found; the message says where we looked and what to set. */
class BinaryNotFoundException(message: String) : Exception(message)

object SamwiseBinaries {
    fun lsp(): Path = find("samwise-lsp", SamwiseSettings.get().state.lspPath)

    fun dap(): Path = find("samwise-dap", SamwiseSettings.get().state.dapPath)

    private fun find(name: String, setting: String): Path {
        val exe = if (SystemInfo.isWindows) "$name.exe" else name
        if (setting.isNotBlank()) {
            // The user asked for this copy: falling through to another one would hide their mistake.
            val path = Path.of(setting.trim())
            if (Files.isExecutable(path)) return path
            throw BinaryNotFoundException(
                "$name: the path in Settings | Tools | samwise ($path) is not an executable file. " +
                    "Fix the path or clear it to use the bundled copy or PATH.",
            )
        }
        val bundled = PluginManagerCore.getPlugin(PluginId.getId(PLUGIN_ID))?.pluginPath?.resolve("bin")?.resolve(exe)
        if (bundled != null && Files.isExecutable(bundled)) return bundled
        PathEnvironmentVariableUtil.findInPath(exe)?.let { return it.toPath() }
        throw BinaryNotFoundException(
            "$name was not found: it is not bundled with the plugin and not on PATH. Build it with " +
                "`cargo build --release --bin $name` and set its path in Settings | Tools | samwise.",
        )
    }
}
