// samwise-lsp for LSP4IJ: the factory named by the `server` extension in plugin.xml, and the process it starts
// (samwise-lsp with no arguments speaks LSP over stdio). API from LSP4IJ's docs/DeveloperGuide.md
// (LanguageServerFactory.createConnectionProvider, ProcessStreamConnectionProvider.setCommands) and
// StreamConnectionProvider.getInitializationOptions(VirtualFile).
package dev.samwise.pycharm.lsp

import com.intellij.openapi.project.Project
import com.intellij.openapi.vfs.VirtualFile
import com.redhat.devtools.lsp4ij.LanguageServerFactory
import com.redhat.devtools.lsp4ij.server.ProcessStreamConnectionProvider
import com.redhat.devtools.lsp4ij.server.StreamConnectionProvider
import dev.samwise.pycharm.SamwiseBinaries
import dev.samwise.pycharm.settings.SamwiseSettings

class SamwiseLanguageServerFactory : LanguageServerFactory {
    override fun createConnectionProvider(project: Project): StreamConnectionProvider = SamwiseLanguageServer(project)
}

class SamwiseLanguageServer(project: Project) : ProcessStreamConnectionProvider() {
    init {
        // A missing binary throws here, with a message naming the setting, and the server does not start.
        commands = listOf(SamwiseBinaries.lsp().toString())
        project.basePath?.let { workingDirectory = it }
    }

    /** The `samwise` settings the server reads from initializationOptions (lsp/src/settings.rs); only what the
     *  plugin knows. The server's other settings keep their defaults. */
    override fun getInitializationOptions(rootUri: VirtualFile?): Any? {
        val python = SamwiseSettings.get().state.pythonPath
        return if (python.isBlank()) null else mapOf("pythonPath" to python)
    }
}
