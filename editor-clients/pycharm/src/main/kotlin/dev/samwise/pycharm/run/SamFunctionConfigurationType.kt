// The "SAM function (samwise)" run configuration type and its factory: Run runs one function of a template
// headless with `samwise-dap invoke` (debugging goes through LSP4IJ's debug adapter configuration, see
// actions/DebugLocallyAction.kt). Structure from the IntelliJ SDK's run configuration tutorial.
package dev.samwise.pycharm.run

import com.intellij.execution.configurations.ConfigurationFactory
import com.intellij.execution.configurations.ConfigurationTypeBase
import com.intellij.execution.configurations.ConfigurationTypeUtil
import com.intellij.execution.configurations.RunConfiguration
import com.intellij.icons.AllIcons
import com.intellij.openapi.components.BaseState
import com.intellij.openapi.project.Project

class SamFunctionConfigurationType : ConfigurationTypeBase(
    ID,
    "SAM function (samwise)",
    "Run one Lambda function of a SAM template locally, without Docker",
    AllIcons.Nodes.Function,
) {
    init {
        addFactory(SamFunctionConfigurationFactory(this))
    }

    companion object {
        const val ID = "SamwiseSamFunction"

        fun get(): SamFunctionConfigurationType =
            ConfigurationTypeUtil.findConfigurationType(SamFunctionConfigurationType::class.java)
    }
}

class SamFunctionConfigurationFactory(type: SamFunctionConfigurationType) : ConfigurationFactory(type) {
    override fun getId(): String = SamFunctionConfigurationType.ID

    override fun createTemplateConfiguration(project: Project): RunConfiguration =
        SamFunctionRunConfiguration(project, this, "SAM function")

    override fun getOptionsClass(): Class<out BaseState> = SamFunctionOptions::class.java
}
