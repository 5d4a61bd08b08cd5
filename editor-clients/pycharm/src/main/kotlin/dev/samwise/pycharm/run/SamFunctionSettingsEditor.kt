// The editor of the SAM function run configuration: template, function and event file as text fields (paths
// relative to the project directory or absolute).
package dev.samwise.pycharm.run

import com.intellij.openapi.options.SettingsEditor
import com.intellij.ui.components.JBTextField
import com.intellij.util.ui.FormBuilder
import javax.swing.JComponent

class SamFunctionSettingsEditor : SettingsEditor<SamFunctionRunConfiguration>() {
    private val template = JBTextField()
    private val function = JBTextField()
    private val event = JBTextField()

    override fun resetEditorFrom(configuration: SamFunctionRunConfiguration) {
        template.text = configuration.options.templatePath.orEmpty()
        function.text = configuration.options.logicalId.orEmpty()
        event.text = configuration.options.eventPath.orEmpty()
    }

    override fun applyEditorTo(configuration: SamFunctionRunConfiguration) {
        configuration.options.templatePath = template.text.trim()
        configuration.options.logicalId = function.text.trim()
        configuration.options.eventPath = event.text.trim()
    }

    override fun createEditor(): JComponent = FormBuilder.createFormBuilder()
        .addLabeledComponent("Template:", template)
        .addLabeledComponent("Function (logical id):", function)
        .addLabeledComponent("Event file (empty: {}):", event)
        .panel
}
