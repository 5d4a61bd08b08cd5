// Whether a YAML/JSON text is a SAM/CloudFormation template, from its text alone: the markers samwise-lsp itself
// looks for on its parsed tree (`detect` in crates/template/src/model.rs), so files the server would ignore are not
// sent to it at all. A text search may accept a few files the server then ignores; it should never reject a
// template, so the patterns are unanchored (minified JSON is one line) and allow YAML and JSON quoting.
package dev.samwise.pycharm.lsp

object SamTemplates {
    private val formatVersion = Regex("""["']?AWSTemplateFormatVersion["']?\s*:""")

    // `Transform: AWS::Serverless-2016-10-31`, also as a list item or a JSON array on the following lines.
    private val serverlessTransform = Regex("""["']?Transform["']?\s*:[\s\[\-"']{0,80}AWS::Serverless""")

    private val resources = Regex("""["']?Resources["']?\s*:""")

    // A resource type: `Type: AWS::S3::Bucket`, `"Type": "Custom::Thing"` or `Alexa::ASK::Skill`.
    private val resourceType = Regex("""["']?Type["']?\s*:\s*["']?(AWS|Custom|Alexa)::""")

    fun looksLikeTemplate(text: CharSequence): Boolean {
        if (formatVersion.containsMatchIn(text) || serverlessTransform.containsMatchIn(text)) return true
        val section = resources.find(text) ?: return false
        return resourceType.containsMatchIn(text.subSequence(section.range.last + 1, text.length))
    }
}
