// `samwise.invokeLocally` (the "Invoke locally" code lens): runs the function with a SAM function run
// configuration, reusing the one for the same template and function if the user already has it (so an event
// file chosen there sticks). LSPCommandAction gives the lens's command (LSP4IJ docs/DeveloperGuide.md,
// "LSP commands").
package dev.samwise.pycharm.actions

import com.intellij.execution.ProgramRunnerUtil
import com.intellij.execution.RunManager
import com.intellij.execution.RunnerAndConfigurationSettings
import com.intellij.execution.executors.DefaultRunExecutor
import com.intellij.notification.NotificationType
import com.intellij.openapi.actionSystem.ActionUpdateThread
import com.intellij.openapi.actionSystem.AnActionEvent
import com.intellij.openapi.project.Project
import com.redhat.devtools.lsp4ij.commands.LSPCommand
import com.redhat.devtools.lsp4ij.commands.LSPCommandAction
import dev.samwise.pycharm.run.SamFunctionConfigurationType
import dev.samwise.pycharm.run.SamFunctionRunConfiguration

class InvokeLocallyAction : LSPCommandAction() {
    // Run configurations are created and started on the EDT.
    override fun getCommandPerformedThread(): ActionUpdateThread = ActionUpdateThread.EDT

    override fun commandPerformed(command: LSPCommand, e: AnActionEvent) {
        val project = e.project ?: return
        val target = functionTarget(command)
            ?: return notifyUser(project, "samwise: the Invoke lens carried no template and function.", NotificationType.ERROR)
        val settings = runConfigurationFor(project, target)
        ProgramRunnerUtil.executeConfiguration(settings, DefaultRunExecutor.getRunExecutorInstance())
    }

    companion object {
        fun runConfigurationFor(project: Project, target: FunctionTarget): RunnerAndConfigurationSettings {
            val runManager = RunManager.getInstance(project)
            val existing = runManager.getConfigurationSettingsList(SamFunctionConfigurationType.get()).firstOrNull {
                val options = (it.configuration as SamFunctionRunConfiguration).options
                options.templatePath == target.templatePath && options.logicalId == target.logicalId
            }
            if (existing != null) {
                runManager.selectedConfiguration = existing
                return existing
            }
            val factory = SamFunctionConfigurationType.get().configurationFactories.single()
            val settings = runManager.createConfiguration(target.logicalId, factory)
            val options = (settings.configuration as SamFunctionRunConfiguration).options
            options.templatePath = target.templatePath
            options.logicalId = target.logicalId
            options.eventPath = target.defaultEvent().orEmpty()
            runManager.addConfiguration(settings)
            runManager.selectedConfiguration = settings
            return settings
        }
    }
}
