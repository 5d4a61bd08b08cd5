// Settings | Tools | samwise: the page that edits SamwiseSettings (Kotlin UI DSL v2).
package dev.samwise.pycharm.settings

import com.intellij.openapi.options.BoundConfigurable
import com.intellij.openapi.ui.DialogPanel
import com.intellij.ui.dsl.builder.AlignX
import com.intellij.ui.dsl.builder.bindText
import com.intellij.ui.dsl.builder.panel

class SamwiseConfigurable : BoundConfigurable("samwise") {
    override fun createPanel(): DialogPanel {
        val values = SamwiseSettings.get().state
        return panel {
            row("samwise-lsp path:") {
                textField().bindText(values::lspPath).align(AlignX.FILL)
                    .comment("Empty: the copy bundled with the plugin, then PATH. Restart the server after a change.")
            }
            row("samwise-dap path:") {
                textField().bindText(values::dapPath).align(AlignX.FILL)
                    .comment("Empty: the copy bundled with the plugin, then PATH.")
            }
            row("Python interpreter:") {
                textField().bindText(values::pythonPath).align(AlignX.FILL)
                    .comment("Runs your functions (your virtualenv's python). Empty: python3 on PATH.")
            }
        }
    }
}
