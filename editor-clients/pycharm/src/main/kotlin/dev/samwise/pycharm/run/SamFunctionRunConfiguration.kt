// The run configuration itself: a template, a function's logical id and an event file (paths relative to the
// project directory or absolute), stored in SamFunctionOptions; Run starts
// `samwise-dap invoke --template T --function F [--event E] [--interpreter P]` (dap-adapter/src/cli/mod.rs) and
// shows the function's logs and response in the Run console.
package dev.samwise.pycharm.run

import com.intellij.execution.ExecutionException
import com.intellij.execution.Executor
import com.intellij.execution.configurations.CommandLineState
import com.intellij.execution.configurations.ConfigurationFactory
import com.intellij.execution.configurations.GeneralCommandLine
import com.intellij.execution.configurations.RunConfiguration
import com.intellij.execution.configurations.RunConfigurationBase
import com.intellij.execution.configurations.RunConfigurationOptions
import com.intellij.execution.configurations.RunProfileState
import com.intellij.execution.configurations.RuntimeConfigurationError
import com.intellij.execution.process.ProcessHandler
import com.intellij.execution.process.ProcessHandlerFactory
import com.intellij.execution.process.ProcessTerminatedListener
import com.intellij.execution.runners.ExecutionEnvironment
import com.intellij.openapi.options.SettingsEditor
import com.intellij.openapi.project.Project
import dev.samwise.pycharm.BinaryNotFoundException
import dev.samwise.pycharm.SamwiseBinaries
import dev.samwise.pycharm.settings.SamwiseSettings

class SamFunctionOptions : RunConfigurationOptions() {
    var templatePath by string("template.yaml")
    var logicalId by string("")
    var eventPath by string("")
}

class SamFunctionRunConfiguration(project: Project, factory: ConfigurationFactory, name: String) :
    RunConfigurationBase<SamFunctionOptions>(project, factory, name) {

    public override fun getOptions(): SamFunctionOptions = super.getOptions() as SamFunctionOptions

    override fun getConfigurationEditor(): SettingsEditor<out RunConfiguration> = SamFunctionSettingsEditor()

    override fun checkConfiguration() {
        if (options.templatePath.isNullOrBlank()) throw RuntimeConfigurationError("Choose the SAM template.")
        if (options.logicalId.isNullOrBlank()) throw RuntimeConfigurationError("Name the function (its logical id).")
    }

    override fun getState(executor: Executor, environment: ExecutionEnvironment): RunProfileState =
        object : CommandLineState(environment) {
            override fun startProcess(): ProcessHandler {
                val handler = ProcessHandlerFactory.getInstance().createColoredProcessHandler(commandLine())
                ProcessTerminatedListener.attach(handler)
                return handler
            }
        }

    /** The `samwise-dap invoke` command line, run in the project directory so relative paths resolve there. */
    fun commandLine(): GeneralCommandLine {
        val dap = try {
            SamwiseBinaries.dap()
        } catch (e: BinaryNotFoundException) {
            throw ExecutionException(e.message)
        }
        val args = mutableListOf("invoke", "--template", options.templatePath.orEmpty(), "--function", options.logicalId.orEmpty())
        options.eventPath?.takeIf { it.isNotBlank() }?.let { args += listOf("--event", it) }
        SamwiseSettings.get().state.pythonPath.takeIf { it.isNotBlank() }?.let { args += listOf("--interpreter", it) }
        return GeneralCommandLine(dap.toString())
            .withParameters(args)
            .withWorkDirectory(project.basePath)
            .withParentEnvironmentType(GeneralCommandLine.ParentEnvironmentType.CONSOLE)
    }
}
