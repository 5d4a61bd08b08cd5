// `samwise.debugLocally` (the "Debug locally" code lens): starts LSP4IJ's "Debug Adapter Protocol" run
// configuration with the samwise server and a launch configuration for the function, so breakpoints, stepping,
// variables and evaluation go through LSP4IJ's DAP client. Setters from LSP4IJ's
// dap/configurations/DAPRunConfiguration.java (setServerId, setServerName, setDebugMode, setLaunchConfiguration,
// setWorkingDirectory). The configuration is kept, so the user can edit its JSON (an event, environment
// variables) and rerun it.
package dev.samwise.pycharm.actions

import com.google.gson.GsonBuilder
import com.intellij.execution.ProgramRunnerUtil
import com.intellij.execution.RunManager
import com.intellij.execution.configurations.ConfigurationTypeUtil
import com.intellij.execution.executors.DefaultDebugExecutor
import com.intellij.notification.NotificationType
import com.intellij.openapi.actionSystem.ActionUpdateThread
import com.intellij.openapi.actionSystem.AnActionEvent
import com.redhat.devtools.lsp4ij.commands.LSPCommand
import com.redhat.devtools.lsp4ij.commands.LSPCommandAction
import com.redhat.devtools.lsp4ij.dap.DebugMode
import com.redhat.devtools.lsp4ij.dap.configurations.DAPRunConfiguration
import com.redhat.devtools.lsp4ij.dap.configurations.DAPRunConfigurationType

class DebugLocallyAction : LSPCommandAction() {
    override fun getCommandPerformedThread(): ActionUpdateThread = ActionUpdateThread.EDT

    override fun commandPerformed(command: LSPCommand, e: AnActionEvent) {
        val project = e.project ?: return
        val target = functionTarget(command)
            ?: return notifyUser(project, "samwise: the Debug lens carried no template and function.", NotificationType.ERROR)
        val runManager = RunManager.getInstance(project)
        val name = "Debug ${target.logicalId}"
        val settings = runManager.findConfigurationByName(name)?.takeIf { it.configuration is DAPRunConfiguration }
            ?: run {
                val type = ConfigurationTypeUtil.findConfigurationType(DAPRunConfigurationType::class.java)
                val created = runManager.createConfiguration(name, type.configurationFactories.first())
                val dap = created.configuration as DAPRunConfiguration
                dap.serverId = SERVER_ID
                dap.serverName = SERVER_NAME
                dap.debugMode = DebugMode.LAUNCH
                dap.workingDirectory = project.basePath
                dap.launchConfiguration = launchJson(target)
                runManager.addConfiguration(created)
                created
            }
        runManager.selectedConfiguration = settings
        ProgramRunnerUtil.executeConfiguration(settings, DefaultDebugExecutor.getDebugExecutorInstance())
    }

    companion object {
        /** The `debugAdapterServer` id and name in plugin.xml. */
        const val SERVER_ID = "samwise"
        const val SERVER_NAME = "samwise (AWS SAM local invoke)"

        /** samwise-dap's launch arguments for the function (dap-adapter/src/dap/launch.rs). */
        fun launchJson(target: FunctionTarget): String {
            val lambda = target.defaultEvent()?.let { mapOf("payload" to mapOf("path" to it)) } ?: emptyMap()
            val launch = mapOf(
                "type" to "samwise",
                "request" to "launch",
                "name" to target.logicalId,
                "invokeTarget" to mapOf(
                    "target" to "template",
                    "templatePath" to target.templatePath,
                    "logicalId" to target.logicalId,
                ),
                "lambda" to lambda,
            )
            return GsonBuilder().setPrettyPrinting().create().toJson(launch)
        }
    }
}
