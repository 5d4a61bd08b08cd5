//! SW4010: a local path in the template (`CodeUri: ../../etc`, an absolute path, a symbolic link in
//! the project pointing elsewhere) that leads outside the project, the folder holding the template.
//! Deploy would refuse to package it and local invoke to run it (both use
//! [`crate::local_path::resolve_in_project`]); this rule says so while the template is edited.
//!
//! A warning, not an error: SAM itself accepts such paths, and templates kept in a sub-folder
//! (`infrastructure/template.yaml` with `CodeUri: ../src/`) are a real pattern; the message tells the
//! user how to make the template self-contained. Runs only when the template has a path.

use samwise_syntax::{Diagnostic, Severity};

use super::{CheckContext, RuleInfo};
use crate::intrinsics::value_range;
use crate::local_path::{LOCAL_PATH_PROPERTIES, LocalPath, project_dir, resolve_in_project};
use crate::model::Template;

pub(super) const RULES: &[RuleInfo] = &[RuleInfo {
    code: "SW4010",
    severity: Severity::Warning,
    summary: "local path (CodeUri, ContentUri, DefinitionUri, ...) leading outside the template's folder",
}];

pub(super) fn check(t: &Template, ctx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let Some(path) = ctx.path else { return };
    let project = project_dir(path);
    let tree = &t.tree;
    for r in &t.resources {
        let Some(type_name) = r.type_name.as_deref() else { continue };
        // Image functions carry their code in the image; a CodeUri there is never read.
        let image = t.effective_property(r, "PackageType").and_then(|p| t.literal(p)) == Some("Image");
        for &(ty, property) in LOCAL_PATH_PROPERTIES {
            if ty != type_name || image {
                continue;
            }
            let Some(value) = t.effective_property(r, property) else { continue };
            let Some(written) = t.literal(tree.resolve(value)) else { continue };
            if written.trim().is_empty() || written.contains("://") {
                continue;
            }
            let LocalPath::Outside { through_link } = resolve_in_project(&project, written) else { continue };
            let how = if through_link { " through a symbolic link" } else { "" };
            out.push(Diagnostic::warning(
                "SW4010",
                value_range(tree, value),
                format!(
                    "{property} '{written}' leads outside the template's folder{how}; deploy will not package it \
                     and local invoke will not run it: move it under the folder that holds the template, or use \
                     an s3:// location"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::diagnostics::fixture::check_fixture_at;

    /// Checks SW4010 as if the template sat in tests/fixtures/path-escape/project (the folders
    /// live there; the template is only named).
    fn check_at_fixture_path(fixture: &str) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/path-escape/project/template.yaml");
        check_fixture_at(fixture, "SW4010", Some(&path));
    }

    #[test]
    fn paths_inside_the_project() {
        check_at_fixture_path(
            r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.handler, Runtime: python3.13 }
  Back:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: ../project/src, Handler: app.handler, Runtime: python3.13 }
  Built:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: build/out, Handler: app.handler, Runtime: python3.13 }
  Remote:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: s3://bucket/code.zip, Handler: app.handler, Runtime: python3.13 }
  Computed:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: !Sub "../${AWS::StackName}", Handler: app.handler, Runtime: python3.13 }
  Image:
    Type: AWS::Serverless::Function
    Properties: { PackageType: Image, ImageUri: repo:latest, CodeUri: ../../etc }
  Nested:
    Type: AWS::CloudFormation::Stack
    Properties: { TemplateURL: https://s3.amazonaws.com/b/t.yaml }
"#,
        );
    }

    #[test]
    fn paths_leading_out() {
        check_at_fixture_path(
            r#"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    CodeUri: ../shared
#            ^^^^^^^^^ warning SW4010: CodeUri '../shared' leads outside the template's folder; deploy will not package it and local invoke will not run it: move it under the folder that holds the template, or use an s3:// location
Resources:
  Up:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: ../../etc, Handler: app.handler, Runtime: python3.13 }
#                          ^^^^^^^^^ warning SW4010: CodeUri '../../etc' leads outside the template's folder; deploy will not package it and local invoke will not run it: move it under the folder that holds the template, or use an s3:// location
  Inherits:
    Type: AWS::Serverless::Function
    Properties: { Handler: app.handler, Runtime: python3.13 }
  Absolute:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: "/etc", Handler: app.handler, Runtime: python3.13 }
#                           ^^^^ warning SW4010: CodeUri '/etc' leads outside the template's folder; deploy will not package it and local invoke will not run it: move it under the folder that holds the template, or use an s3:// location
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties: { ContentUri: ../layer }
#                             ^^^^^^^^ warning SW4010: ContentUri '../layer' leads outside the template's folder; deploy will not package it and local invoke will not run it: move it under the folder that holds the template, or use an s3:// location
  Api:
    Type: AWS::Serverless::Api
    Properties: { StageName: v1, DefinitionUri: ../api.yaml }
#                                               ^^^^^^^^^^^ warning SW4010: DefinitionUri '../api.yaml' leads outside the template's folder; deploy will not package it and local invoke will not run it: move it under the folder that holds the template, or use an s3:// location
  App:
    Type: AWS::Serverless::Application
    Properties: { Location: ../../app.yaml }
#                           ^^^^^^^^^^^^^^ warning SW4010: Location '../../app.yaml' leads outside the template's folder; deploy will not package it and local invoke will not run it: move it under the folder that holds the template, or use an s3:// location
  Stack:
    Type: AWS::CloudFormation::Stack
    Properties: { TemplateURL: ../nested.yaml }
#                              ^^^^^^^^^^^^^^ warning SW4010: TemplateURL '../nested.yaml' leads outside the template's folder; deploy will not package it and local invoke will not run it: move it under the folder that holds the template, or use an s3:// location
  Plain:
    Type: AWS::Lambda::Function
    Properties: { Code: ../lambda, Handler: app.handler, Runtime: python3.13, Role: arn:aws:iam::123456789012:role/r }
#                       ^^^^^^^^^ warning SW4010: Code '../lambda' leads outside the template's folder; deploy will not package it and local invoke will not run it: move it under the folder that holds the template, or use an s3:// location
"#,
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_leading_out() {
        // `project/linked` is a committed symbolic link to `../elsewhere`.
        check_at_fixture_path(
            r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: linked, Handler: app.handler, Runtime: python3.13 }
#                          ^^^^^^ warning SW4010: CodeUri 'linked' leads outside the template's folder through a symbolic link; deploy will not package it and local invoke will not run it: move it under the folder that holds the template, or use an s3:// location
"#,
        );
    }

    #[test]
    fn silent_without_a_path() {
        check_fixture_at(
            r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: ../../etc, Handler: app.handler, Runtime: python3.13 }
"#,
            "SW4010",
            None,
        );
    }
}
