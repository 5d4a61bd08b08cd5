// The plugin's settings (application level): where the two binaries are and which Python runs functions.
// Empty means "not set": the binaries are then looked up in the plugin's bin/ folder and on PATH.
package dev.samwise.pycharm.settings

import com.intellij.openapi.components.PersistentStateComponent
import com.intellij.openapi.components.Service
import com.intellij.openapi.components.State
import com.intellij.openapi.components.Storage
import com.intellij.openapi.components.service

@Service(Service.Level.APP)
@State(name = "SamwiseSettings", storages = [Storage("samwise.xml")])
class SamwiseSettings : PersistentStateComponent<SamwiseSettings.Values> {
    class Values {
        /** Path of samwise-lsp. */
        var lspPath: String = ""

        /** Path of samwise-dap. */
        var dapPath: String = ""

        /** The project's Python interpreter (its virtualenv), sent as the server's `pythonPath` setting and used
         *  as `--interpreter` / `pythonPath` when invoking and debugging. */
        var pythonPath: String = ""
    }

    private var values = Values()

    override fun getState(): Values = values

    override fun loadState(state: Values) {
        values = state
    }

    companion object {
        fun get(): SamwiseSettings = service()
    }
}
