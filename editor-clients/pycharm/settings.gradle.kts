// The Gradle settings of the samwise PyCharm plugin (a standalone Gradle build, not part of the Cargo workspace).
rootProject.name = "samwise-pycharm"
