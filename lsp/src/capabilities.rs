//! The capabilities the server declares. Every feature is declared here, so every client (not only
//! the VS Code shim) discovers it from the initialize result.

use tower_lsp_server::ls_types::*;

use crate::convert::Encoding;

/// Characters after which editors should ask for completions unprompted: YAML's `:` and `!Ref`-style
/// tags, `.` in `Resource.Attribute` and Python attribute access, quotes opening values and boto3
/// service names, `${` in `!Sub` strings, a space after `Key:`, and `/` in `CodeUri` paths.
pub const COMPLETION_TRIGGERS: &[&str] = &[":", "!", ".", "\"", "'", "$", "{", " ", "/"];

/// Commands the server runs itself through `workspace/executeCommand`. The code lenses'
/// `samwise.invokeLocally` and `samwise.debugLocally` are run by the editor shims (they start the
/// debug adapter), so they are deliberately absent. `samwise.deploy` is run by the server (it needs
/// no editor-specific UI: progress and the confirmation go through LSP).
pub const SERVER_COMMANDS: &[&str] = &["samwise.deploy"];

pub fn server_capabilities(enc: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(enc.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            // A saved template re-checks the open code files it deploys (template/code cross-checks).
            save: Some(TextDocumentSyncSaveOptions::Supported(true)),
            ..Default::default()
        })),
        completion_provider: Some(CompletionOptions {
            resolve_provider: Some(true),
            trigger_characters: Some(COMPLETION_TRIGGERS.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into(), "[".into()]),
            retrigger_characters: Some(vec![" ".into()]),
            ..Default::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::REFACTOR]),
            ..Default::default()
        })),
        code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: SERVER_COMMANDS.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }),
        diagnostic_provider: Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some("samwise".into()),
            // A template's findings depend on other files (handler code under CodeUri).
            inter_file_dependencies: true,
            workspace_diagnostics: false,
            ..Default::default()
        })),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}
