// The arguments samwise-lsp puts in its code lenses (crates/ide/src/lens.rs): `[templatePath, logicalId]` for
// invoke/debug and `[templatePath]` for deploy, plain filesystem paths. Read with LSP4IJ's
// LSPCommand.getArgumentAt(index, type).
package dev.samwise.pycharm.actions

import com.intellij.notification.NotificationGroupManager
import com.intellij.notification.NotificationType
import com.intellij.openapi.project.Project
import com.redhat.devtools.lsp4ij.commands.LSPCommand
import java.nio.file.Files
import java.nio.file.Path

data class FunctionTarget(val templatePath: String, val logicalId: String) {
    /** `events/event.json` beside the template when it exists, the layout `sam init` creates. */
    fun defaultEvent(): String? =
        Path.of(templatePath).resolveSibling("events").resolve("event.json").takeIf { Files.isRegularFile(it) }?.toString()
}

fun functionTarget(command: LSPCommand): FunctionTarget? {
    val template = command.getArgumentAt(0, String::class.java) ?: return null
    val logicalId = command.getArgumentAt(1, String::class.java) ?: return null
    return FunctionTarget(template, logicalId)
}

fun notifyUser(project: Project?, message: String, type: NotificationType) {
    NotificationGroupManager.getInstance().getNotificationGroup("samwise").createNotification(message, type).notify(project)
}
