// Build of the samwise PyCharm plugin with the IntelliJ Platform Gradle Plugin 2.x: PyCharm as the target platform,
// Red Hat's LSP4IJ (from JetBrains Marketplace) as the LSP/DAP client, the bundled Python plugin for the Python
// language. `./gradlew buildPlugin` writes build/distributions/samwise-pycharm-<version>.zip.
//
// Bundling the binaries: run `cargo build --release` in the repository first; `prepareSandbox` below copies
// samwise-lsp and samwise-dap from ../../target/release into the plugin's `bin/` folder when they exist. Without
// them the plugin uses the paths from its settings or finds the binaries on PATH.

plugins {
    id("org.jetbrains.kotlin.jvm") version "2.1.20"
    id("org.jetbrains.intellij.platform") version "2.5.0"
}

group = "dev.samwise"
version = providers.gradleProperty("pluginVersion").get()

repositories {
    mavenCentral()
    intellijPlatform {
        defaultRepositories()
    }
}

dependencies {
    intellijPlatform {
        pycharmCommunity(providers.gradleProperty("platformVersion"))
        bundledPlugin("PythonCore")
        bundledPlugin("org.jetbrains.plugins.yaml")
        bundledPlugin("com.intellij.modules.json")
        plugin("com.redhat.devtools.lsp4ij", providers.gradleProperty("lsp4ijVersion").get())
    }
}

kotlin {
    jvmToolchain(21)
}

intellijPlatform {
    pluginConfiguration {
        version = providers.gradleProperty("pluginVersion")
        ideaVersion {
            sinceBuild = "251"
        }
    }
}

// The release binaries, when built, go into the plugin's bin/ folder, where SamwiseBinaries looks right after the
// user's settings.
val bundledBinaries = listOf("samwise-lsp", "samwise-dap")
    .map { rootDir.resolve("../../target/release/$it") }

tasks.named<org.jetbrains.intellij.platform.gradle.tasks.PrepareSandboxTask>("prepareSandbox") {
    from(bundledBinaries.filter { it.exists() }) {
        into("${rootProject.name}/bin")
        filePermissions { unix("rwxr-xr-x") }
    }
}
