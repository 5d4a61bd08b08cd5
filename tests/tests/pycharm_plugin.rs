//! What can be checked of the PyCharm client (`editor-clients/pycharm`) without JetBrains' build tools, which this
//! machine cannot download: plugin.xml is well-formed and every class it names is declared in a Kotlin file of the
//! right package, extending the LSP4IJ type its extension point expects; the lens-command actions are exactly the
//! server's code-lens commands; the LSP4IJ user-defined templates are valid JSON naming real settings and launch
//! fields; and the commands the templates launch start both binaries and answer an `initialize` handshake
//! (`samwise-dap` in the `--port` mode the template uses, connected when its ready line matches the template's
//! `debugServerReadyPattern`).
//!
//! The plugin's template matcher is also run (its regular expressions, with Python's `re`) against the server's own
//! verdict on the corpus, the examples and `tests/fixtures/pycharm/detect`.
//!
//! DEPENDENCIES
//! - roxmltree (dev): parses plugin.xml, so malformed XML fails the test and extension attributes are read
//!   reliably.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use samwise_e2e::dap_client::DapClient;
use samwise_e2e::lsp_client::{LspClient, editor_capabilities, file_uri};
use serde_json::{Value, json};

fn plugin_dir() -> PathBuf {
    samwise_e2e::repo_root().join("editor-clients/pycharm")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

fn kotlin_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "kt") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&plugin_dir().join("src/main/kotlin"), &mut out);
    out.sort();
    out
}

/// The Kotlin declaration of `fqcn` (`package a.b` + `class C`/`object C`): its file and the declaration's text
/// up to the opening brace (constructor and supertypes).
fn kotlin_declaration(fqcn: &str) -> Option<(PathBuf, String)> {
    let (package, name) = fqcn.rsplit_once('.')?;
    kotlin_files().into_iter().find_map(|path| {
        let text = read(&path);
        if !text.lines().any(|l| l.trim() == format!("package {package}")) {
            return None;
        }
        let start = ["class ", "object "].iter().find_map(|kw| {
            let needle = format!("{kw}{name}");
            text.match_indices(&needle).map(|(i, _)| i).find(|&i| {
                let after = text[i + needle.len()..].chars().next();
                let before = text[..i].chars().next_back();
                !after.is_some_and(|c| c.is_alphanumeric() || c == '_') && before.is_none_or(|c| c.is_whitespace())
            })
        })?;
        let end = text[start..].find('{').map_or(text.len(), |e| start + e);
        Some((path, text[start..end].to_owned()))
    })
}

/// Each class-valued attribute of plugin.xml: (element, attribute, class, the supertype its declaration must
/// name). The supertypes are the ones LSP4IJ's and the platform's extension points load the class as.
fn plugin_xml_classes() -> Vec<(String, String, String, Option<&'static str>)> {
    let xml = read(&plugin_dir().join("src/main/resources/META-INF/plugin.xml"));
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("plugin.xml is not well-formed XML: {e}"));
    let mut out = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        let element = node.tag_name().name();
        for attr in node.attributes() {
            let supertype = match (element, attr.name()) {
                ("server", "factoryClass") => Some("LanguageServerFactory"),
                ("languageMapping" | "fileTypeMapping", "documentMatcher") => Some("AbstractDocumentMatcher()"),
                ("debugAdapterServer", "factoryClass") => Some("DebugAdapterDescriptorFactory()"),
                ("action", "class") => Some("LSPCommandAction()"),
                ("configurationType", "implementation") => Some("ConfigurationTypeBase("),
                ("applicationConfigurable", "instance") => Some("BoundConfigurable("),
                (_, "implementation" | "implementationClass" | "instance" | "serviceImplementation" | "class")
                | (_, "factoryClass" | "documentMatcher") => None,
                _ => continue,
            };
            out.push((element.to_owned(), attr.name().to_owned(), attr.value().to_owned(), supertype));
        }
    }
    out
}

#[test]
fn plugin_xml_is_well_formed_and_every_class_it_names_is_declared_with_the_expected_supertype() {
    let classes = plugin_xml_classes();
    let elements: BTreeSet<&str> = classes.iter().map(|(e, ..)| e.as_str()).collect();
    for required in ["server", "languageMapping", "debugAdapterServer", "configurationType", "action"] {
        assert!(elements.contains(required), "plugin.xml declares no <{required}> with a class: {classes:?}");
    }
    for (element, attribute, class, supertype) in &classes {
        let Some((path, declaration)) = kotlin_declaration(class) else {
            panic!("<{element} {attribute}=\"{class}\">: no Kotlin file declares package and class {class}")
        };
        if let Some(supertype) = supertype {
            assert!(
                declaration.contains(&format!(": {supertype}")),
                "<{element} {attribute}=\"{class}\">: {} declares `{declaration}`, which does not extend {supertype}",
                path.display()
            );
        }
    }
}

#[test]
fn plugin_xml_depends_on_lsp4ij_and_the_languages_it_maps() {
    let xml = read(&plugin_dir().join("src/main/resources/META-INF/plugin.xml"));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let depends: BTreeSet<&str> =
        doc.descendants().filter(|n| n.has_tag_name("depends")).filter_map(|n| n.text()).collect();
    for plugin in ["com.redhat.devtools.lsp4ij", "com.intellij.modules.python", "org.jetbrains.plugins.yaml"] {
        assert!(depends.contains(plugin), "plugin.xml does not depend on {plugin}: {depends:?}");
    }
    // Every mapping and the debug adapter point at a server this plugin.xml declares.
    let servers: BTreeSet<&str> =
        doc.descendants().filter(|n| n.has_tag_name("server")).filter_map(|n| n.attribute("id")).collect();
    for mapping in doc.descendants().filter(|n| n.attribute("serverId").is_some()) {
        assert!(servers.contains(mapping.attribute("serverId").unwrap()), "{mapping:?} names an undeclared server");
    }
}

#[test]
fn the_lens_command_actions_are_exactly_the_servers_code_lens_commands() {
    let xml = read(&plugin_dir().join("src/main/resources/META-INF/plugin.xml"));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let actions: BTreeSet<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("action"))
        .filter_map(|n| n.attribute("id"))
        .filter(|id| id.starts_with("samwise."))
        .map(str::to_owned)
        .collect();
    // The commands the server puts in its lenses, read from the source that makes them.
    let lens = read(&samwise_e2e::repo_root().join("crates/ide/src/lens.rs"));
    let commands: BTreeSet<String> = lens
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("samwise.") && !s.contains(' '))
        .map(str::to_owned)
        .collect();
    assert!(!commands.is_empty(), "no samwise.* command found in crates/ide/src/lens.rs");
    assert_eq!(actions, commands, "plugin.xml actions vs the server's code-lens commands");
    // The debug action starts the debug adapter server plugin.xml declares.
    let debug = read(&plugin_dir().join("src/main/kotlin/dev/samwise/pycharm/actions/DebugLocallyAction.kt"));
    let adapter = doc.descendants().find(|n| n.has_tag_name("debugAdapterServer")).unwrap();
    for (constant, attribute) in [("SERVER_ID", "id"), ("SERVER_NAME", "name")] {
        let expected = format!("const val {constant} = \"{}\"", adapter.attribute(attribute).unwrap());
        assert!(debug.contains(&expected), "DebugLocallyAction.kt lacks `{expected}`");
    }
}

#[test]
fn every_kotlin_file_opens_with_a_comment_and_sits_in_its_packages_folder() {
    let root = plugin_dir().join("src/main/kotlin");
    let files = kotlin_files();
    assert!(files.len() >= 8, "{files:?}");
    for path in files {
        let text = read(&path);
        assert!(text.starts_with("// "), "{} does not start with a comment saying what lives there", path.display());
        let package = text.lines().find_map(|l| l.strip_prefix("package ")).expect("a package line");
        let folder = path.parent().unwrap().strip_prefix(&root).unwrap().to_string_lossy().replace('/', ".");
        assert_eq!(package.trim(), folder, "{}", path.display());
    }
}

fn templates_dir() -> PathBuf {
    plugin_dir().join("lsp4ij-templates")
}

/// The file names LSP4IJ reads from a user-defined template folder (docs/UserDefinedLanguageServerTemplate.md;
/// `launch*.json` for debug adapters, as in its dap templates).
fn is_known_template_file(name: &str) -> bool {
    matches!(
        name,
        "template.json"
            | "settings.json"
            | "settings.schema.json"
            | "initializationOptions.json"
            | "clientSettings.json"
            | "installer.json"
            | "README.md"
    ) || (name.starts_with("launch") && name.ends_with(".json"))
}

#[test]
fn templates_are_valid_json_and_hold_only_files_lsp4ij_reads() {
    for server in ["samwise-lsp", "samwise-dap"] {
        let dir = templates_dir().join(server);
        for entry in std::fs::read_dir(&dir).unwrap().map(Result::unwrap) {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(is_known_template_file(&name), "{}: LSP4IJ does not read {name}", dir.display());
            if name.ends_with(".json") {
                read_json(&entry.path());
            }
        }
        let template = read_json(&dir.join("template.json"));
        assert_eq!(template["id"], server);
        assert!(template["name"].is_string());
        let mappings = template["fileTypeMappings"].as_array().expect("fileTypeMappings");
        let patterns: Vec<&str> = mappings
            .iter()
            .flat_map(|m| m["fileType"]["patterns"].as_array().into_iter().flatten())
            .filter_map(Value::as_str)
            .collect();
        assert!(patterns.contains(&"*.py"), "{server}: {patterns:?}");
        if server == "samwise-lsp" {
            for p in ["*.yaml", "*.yml", "*.json", "*.template"] {
                assert!(patterns.contains(&p), "{server} does not map {p}: {patterns:?}");
            }
        }
    }
}

/// The camelCase names of the server's settings, read from the `Settings` struct in lsp/src/settings.rs.
fn server_setting_names() -> BTreeSet<String> {
    let source = read(&samwise_e2e::repo_root().join("lsp/src/settings.rs"));
    let body = source.split("pub struct Settings {").nth(1).expect("Settings struct").split("\n}").next().unwrap();
    body.lines()
        .filter_map(|l| l.trim().strip_prefix("pub ")?.split_once(':').map(|(name, _)| name.trim().to_owned()))
        .map(|snake| {
            let mut parts = snake.split('_');
            let first = parts.next().unwrap().to_owned();
            parts.fold(first, |acc, p| acc + &p[..1].to_uppercase() + &p[1..])
        })
        .collect()
}

#[test]
fn the_lsp_templates_settings_are_settings_the_server_reads() {
    let known = server_setting_names();
    assert!(known.contains("pythonPath") && known.contains("disabledRules"), "{known:?}");
    let settings = read_json(&templates_dir().join("samwise-lsp/settings.json"));
    let section = settings["samwise"].as_object().expect("a `samwise` section");
    for key in section.keys() {
        assert!(known.contains(key), "settings.json: `samwise.{key}` is not a server setting ({known:?})");
    }
}

/// A template's command for this OS as argv, with the binary name replaced by the freshly built binary.
fn template_command(command: &str, binary: &str) -> Command {
    let mut words = command.split_whitespace();
    assert_eq!(words.next(), Some(binary), "the template launches `{command}`");
    let mut cmd = Command::new(samwise_e2e::binary(binary));
    cmd.args(words);
    cmd
}

#[test]
fn the_lsp_templates_command_starts_samwise_lsp_which_serves_the_mapped_languages() {
    let template = read_json(&templates_dir().join("samwise-lsp/template.json"));
    let command = template["programArgs"]["default"].as_str().expect("programArgs.default");
    let client = LspClient::spawn(template_command(command, "samwise-lsp"));
    let example = samwise_e2e::repo_root().join("examples/parameter-store");
    let result = client.initialize(editor_capabilities(false), Value::Null, Some(&example));
    let capabilities = &result["capabilities"];
    assert!(capabilities.is_object(), "{result}");
    assert!(capabilities["codeLensProvider"].is_object(), "{capabilities}");
    assert!(capabilities["completionProvider"].is_object(), "{capabilities}");

    // A template opened with the language id the YAML mapping sends gets the lenses the plugin's actions run.
    let language = |pattern: &str| {
        let mappings = template["fileTypeMappings"].as_array().unwrap();
        let m = mappings.iter().find(|m| m["fileType"]["patterns"].as_array().unwrap().iter().any(|p| p == pattern));
        m.unwrap()["languageId"].as_str().unwrap().to_owned()
    };
    let path = example.join("template.yaml");
    let uri = file_uri(&path);
    client.open(&uri, &language("*.yaml"), &read(&path));
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}})).unwrap();
    let commands: BTreeSet<&str> =
        lenses.as_array().unwrap().iter().filter_map(|l| l["command"]["command"].as_str()).collect();
    assert!(commands.contains("samwise.invokeLocally") && commands.contains("samwise.debugLocally"), "{lenses}");
    let status = client.shutdown();
    assert!(status.success(), "samwise-lsp exited with {status}");
}

/// Kills the adapter started in `--port` mode when the test ends, passing or failing.
struct Adapter(Child);

impl Drop for Adapter {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Matches `line` against an LSP4IJ `debugServerReadyPattern` with `${address}` and `${port}` placeholders;
/// returns the address and port it names.
fn ready_address(pattern: &str, line: &str) -> Option<(String, u16)> {
    let (prefix, rest) = pattern.split_once("${address}")?;
    let (separator, suffix) = rest.split_once("${port}")?;
    let tail = line.strip_prefix(prefix)?;
    let (address, port) = tail.split_once(separator)?;
    let port = port.strip_suffix(suffix)?;
    Some((address.to_owned(), port.parse().ok()?))
}

#[test]
fn the_dap_templates_command_starts_samwise_dap_which_answers_initialize_on_the_announced_port() {
    let template = read_json(&templates_dir().join("samwise-dap/template.json"));
    let command = template["launch"]["default"].as_str().expect("launch.default");
    let pattern = template["debugServerReadyPattern"].as_str().expect("debugServerReadyPattern");
    // LSP4IJ substitutes a free port for ${port}; 0 lets the adapter pick one, which its ready line reports.
    let mut cmd = template_command(&command.replace("${port}", "0"), "samwise-dap");
    let child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
    let mut adapter = Adapter(child);
    let mut stdout = BufReader::new(adapter.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let line = line.trim_end();
    let (address, port) =
        ready_address(pattern, line).unwrap_or_else(|| panic!("ready line `{line}` does not match `{pattern}`"));
    assert_eq!(address, "127.0.0.1");
    assert_ne!(port, 0);

    let stream = TcpStream::connect((address.as_str(), port)).unwrap();
    let mut client = DapClient::over(stream.try_clone().unwrap(), stream);
    // The arguments LSP4IJ's DebugAdapterDescriptor.createInitializeRequestArguments sends.
    let response = client.request(
        "initialize",
        json!({"clientID": "lsp4ij.debug", "clientName": "PyCharm", "adapterID": "samwise", "pathFormat": "path",
               "linesStartAt1": true, "columnsStartAt1": true, "supportsVariableType": true,
               "supportsVariablePaging": false, "supportsStartDebuggingRequest": true}),
    );
    assert_eq!(response["success"], true, "{response}");
    assert!(response["body"].is_object(), "{response}");

    // The template's launch configuration has the fields samwise-dap reads: with its placeholder function id the
    // launch fails on that id, not on the configuration's shape.
    let example = samwise_e2e::repo_root().join("examples/parameter-store");
    let launch = read(&templates_dir().join("samwise-dap/launch.json"))
        .replace("${workspaceFolder}", &example.display().to_string());
    let launch: Value = serde_json::from_str(&launch).unwrap();
    let response = client.request("launch", launch);
    assert_eq!(response["success"], false, "{response}");
    let message = response.to_string();
    assert!(message.contains("MyFunction"), "the launch failed for another reason than the placeholder: {response}");
}

/// The regular expressions of the plugin's template matcher (`lsp/SamTemplates.kt`), by property name.
fn kotlin_template_patterns() -> Vec<(String, String)> {
    let source = read(&plugin_dir().join("src/main/kotlin/dev/samwise/pycharm/lsp/SamTemplates.kt"));
    source
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("private val ")?;
            let (name, rest) = rest.split_once(" = Regex(\"\"\"")?;
            let pattern = rest.strip_suffix("\"\"\")")?;
            Some((name.to_owned(), pattern.to_owned()))
        })
        .collect()
}

fn files_under(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, extensions, out);
        } else if path.extension().is_some_and(|e| extensions.iter().any(|x| e == *x)) {
            out.push(path);
        }
    }
}

/// The plugin's verdict on each file: the Kotlin matcher's patterns (java.util.regex; these patterns mean the same
/// in Python's `re`) combined as `SamTemplates.looksLikeTemplate` combines them.
fn plugin_accepts(files: &[PathBuf]) -> Vec<bool> {
    let patterns: std::collections::BTreeMap<String, String> = kotlin_template_patterns().into_iter().collect();
    let names = ["formatVersion", "serverlessTransform", "resources", "resourceType"];
    let ordered: Vec<&String> =
        names.iter().map(|n| patterns.get(*n).unwrap_or_else(|| panic!("SamTemplates.kt: no `{n}` pattern"))).collect();
    let script = r#"
import json, re, sys
version, transform, resources, rtype = [re.compile(p) for p in json.loads(sys.argv[1])]
for path in sys.argv[2:]:
    text = open(path, encoding="utf-8").read()
    ok = bool(version.search(text) or transform.search(text))
    if not ok:
        section = resources.search(text)
        ok = bool(section and rtype.search(text, section.end()))
    print("1" if ok else "0")
"#;
    let output = Command::new("python3")
        .args(["-c", script, &serde_json::to_string(&ordered).unwrap()])
        .args(files)
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let verdicts: Vec<bool> = String::from_utf8(output.stdout).unwrap().lines().map(|l| l == "1").collect();
    assert_eq!(verdicts.len(), files.len());
    verdicts
}

/// The server's verdict on each file: `samwise-lsp check` reports the files it skips as not templates.
fn server_accepts(files: &[PathBuf]) -> Vec<bool> {
    let output = Command::new(samwise_e2e::binary("samwise-lsp")).arg("check").args(files).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    files.iter().map(|f| !stderr.contains(&format!("{}: not a CloudFormation/SAM template", f.display()))).collect()
}

#[test]
fn the_plugins_template_matcher_accepts_every_template_the_server_reads_and_rejects_other_yaml_and_json() {
    let fixtures = samwise_e2e::repo_root().join("tests/fixtures/pycharm/detect");
    let mut templates = Vec::new();
    files_under(&fixtures.join("templates"), &["yaml", "yml", "json"], &mut templates);
    files_under(&samwise_e2e::repo_root().join("tests/corpus"), &["yaml", "yml", "json"], &mut templates);
    files_under(&samwise_e2e::repo_root().join("examples"), &["yaml", "yml"], &mut templates);
    let mut others = Vec::new();
    files_under(&fixtures.join("other"), &["yaml", "yml", "json"], &mut others);
    assert!(templates.len() > 100 && others.len() >= 5, "{} templates, {} others", templates.len(), others.len());

    // The fixtures are what their folders say, by the server's own judgement.
    let fixture_templates: Vec<PathBuf> = templates.iter().filter(|p| p.starts_with(&fixtures)).cloned().collect();
    assert!(server_accepts(&fixture_templates).iter().all(|&t| t), "a fixture in templates/ is not a template");
    assert!(server_accepts(&others).iter().all(|&t| !t), "a fixture in other/ is a template");

    // Never reject what the server would analyse: such a file would silently get no diagnostics in PyCharm.
    let server = server_accepts(&templates);
    let plugin = plugin_accepts(&templates);
    let rejected: Vec<String> = templates
        .iter()
        .zip(server.iter().zip(&plugin))
        .filter(|(_, (server, plugin))| **server && !**plugin)
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert!(rejected.is_empty(), "templates the plugin would not send to the server:\n{}", rejected.join("\n"));
    assert!(server.iter().filter(|&&t| t).count() > 100, "the server read too few corpus files as templates");

    // And keep other YAML/JSON away from the server.
    let accepted: Vec<String> = others
        .iter()
        .zip(plugin_accepts(&others))
        .filter(|(_, ok)| *ok)
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert!(accepted.is_empty(), "non-templates the plugin would send to the server: {accepted:?}");
}

#[test]
fn ids_the_kotlin_code_looks_up_are_the_ones_plugin_xml_declares() {
    let xml = read(&plugin_dir().join("src/main/resources/META-INF/plugin.xml"));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    // The bundled binaries are found through the plugin's own id.
    let id = doc.descendants().find(|n| n.has_tag_name("id")).and_then(|n| n.text()).expect("<id>");
    let binaries = read(&plugin_dir().join("src/main/kotlin/dev/samwise/pycharm/SamwiseBinaries.kt"));
    assert!(binaries.contains(&format!("const val PLUGIN_ID = \"{id}\"")), "SamwiseBinaries.kt: PLUGIN_ID is not {id}");
    // Notification groups must be declared before use, or the platform throws.
    let groups: BTreeSet<&str> =
        doc.descendants().filter(|n| n.has_tag_name("notificationGroup")).filter_map(|n| n.attribute("id")).collect();
    let mut used = 0;
    for path in kotlin_files() {
        let text = read(&path);
        for group in text.split("getNotificationGroup(\"").skip(1).filter_map(|rest| rest.split('"').next()) {
            used += 1;
            assert!(groups.contains(group), "{} uses notification group {group}, not in plugin.xml", path.display());
        }
    }
    assert!(used > 0, "no notification group lookup found");
}
