// The document matcher of the YAML and JSON language mappings in plugin.xml: only templates go to samwise-lsp.
// AbstractDocumentMatcher runs match() in a non-blocking read action, off the EDT (LSP4IJ docs/DeveloperGuide.md,
// "Language mapping").
package dev.samwise.pycharm.lsp

import com.intellij.openapi.fileEditor.FileDocumentManager
import com.intellij.openapi.project.Project
import com.intellij.openapi.vfs.VfsUtilCore
import com.intellij.openapi.vfs.VirtualFile
import com.redhat.devtools.lsp4ij.AbstractDocumentMatcher
import java.io.IOException

class TemplateDocumentMatcher : AbstractDocumentMatcher() {
    override fun match(file: VirtualFile, project: Project): Boolean {
        // The open document when there is one, so a template being typed is recognised before it is saved.
        val text = FileDocumentManager.getInstance().getCachedDocument(file)?.immutableCharSequence
            ?: try {
                VfsUtilCore.loadText(file)
            } catch (e: IOException) {
                return false
            }
        return SamTemplates.looksLikeTemplate(text)
    }
}
