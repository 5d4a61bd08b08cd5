// `samwise.deploy` (the "Deploy" code lens). LSP4IJ's CommandExecutor sends a lens command to the server when the
// server declares it (executeCommandProvider) and only otherwise runs the action with the command's id. samwise-lsp
// declares it (lsp/src/capabilities.rs), so deploys go to the server; this action answers only for an older
// samwise-lsp without the command, saying so instead of pretending, and naming what to run instead.
package dev.samwise.pycharm.actions

import com.intellij.notification.NotificationType
import com.intellij.openapi.actionSystem.AnActionEvent
import com.redhat.devtools.lsp4ij.commands.LSPCommand
import com.redhat.devtools.lsp4ij.commands.LSPCommandAction

class DeployAction : LSPCommandAction() {
    override fun commandPerformed(command: LSPCommand, e: AnActionEvent) {
        val template = command.getArgumentAt(0, String::class.java) ?: "the template"
        notifyUser(
            e.project,
            "samwise: this samwise-lsp does not deploy (it does not offer the samwise.deploy command). " +
                "Update samwise-lsp, or deploy $template with `sam deploy --template-file $template --guided` in a terminal.",
            NotificationType.WARNING,
        )
    }
}
