//! Python documents: the boto3 analysis of `samwise-boto`, converted to this crate's result types.
//!
//! The botocore models are the embedded ones, or — when the user asks for it — those of the botocore
//! installed in the workspace's Python environment, so completions match their boto3 version exactly.
//! Both are loaded once per process (per interpreter) and shared by every document.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use samwise_boto::{BotocoreModels, PyFile};

use crate::{Analysis, CompletionItem, CompletionKind, Config, Diagnostic, Hover, SignatureHelp};

/// The models for `config`: the installed botocore's when enabled and loadable, else the embedded ones.
pub(crate) fn models(config: &Config) -> &'static BotocoreModels {
    if config.prefer_installed_botocore
        && let Some(python) = &config.python_path
        && let Ok(m) = installed(python)
    {
        return m;
    }
    embedded()
}

fn embedded() -> &'static BotocoreModels {
    static MODELS: OnceLock<BotocoreModels> = OnceLock::new();
    MODELS.get_or_init(|| BotocoreModels::embedded().expect("the embedded botocore.bin is generated and must open"))
}

/// Why the installed botocore cannot be used (for the server to report), if the setting is on.
pub fn botocore_load_error(config: &Config) -> Option<String> {
    if !config.prefer_installed_botocore {
        return None;
    }
    match &config.python_path {
        None => Some("preferInstalledBotocore is on but no Python interpreter is configured (pythonPath)".into()),
        Some(p) => installed(p).err(),
    }
}

fn installed(python: &Path) -> Result<&'static BotocoreModels, String> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Result<&'static BotocoreModels, String>>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(python.to_path_buf())
        .or_insert_with(|| {
            let dir = samwise_boto::installed_botocore_data_dir(python)?;
            BotocoreModels::from_botocore_data_dir(&dir).map(|m| &*Box::leak(Box::new(m)))
        })
        .clone()
}

pub(crate) fn parse(text: &str) -> PyFile {
    PyFile::parse(text)
}

pub(crate) fn diagnostics(a: &Analysis, py: &PyFile) -> Vec<Diagnostic> {
    let mut out = py.diagnostics(models(a.config()));
    crate::diagnostics::apply_config(a.config(), &mut out);
    out
}

pub(crate) fn completions(a: &Analysis, py: &PyFile, offset: u32) -> Vec<CompletionItem> {
    py.completions(models(a.config()), offset)
        .into_iter()
        .map(|c| CompletionItem {
            label: c.label,
            kind: kind(c.kind),
            detail: c.detail,
            documentation: c.documentation,
            insert_text: c.insert_text,
            is_snippet: c.is_snippet,
            replace_range: c.replace_range,
            sort_key: c.sort_key,
            filter_text: c.filter_text,
        })
        .collect()
}

pub(crate) fn hover(a: &Analysis, py: &PyFile, offset: u32) -> Option<Hover> {
    py.hover(models(a.config()), offset).map(|h| Hover { range: h.range, markdown: h.markdown })
}

pub(crate) fn signature_help(a: &Analysis, py: &PyFile, offset: u32) -> Option<SignatureHelp> {
    py.signature_help(models(a.config()), offset).map(|s| SignatureHelp {
        label: s.label,
        documentation: s.documentation,
        parameters: s.parameters,
        active_parameter: s.active_parameter,
    })
}

fn kind(k: samwise_boto::CompletionKind) -> CompletionKind {
    use samwise_boto::CompletionKind as B;
    match k {
        B::Section => CompletionKind::Section,
        B::ResourceType => CompletionKind::ResourceType,
        B::Property => CompletionKind::Property,
        B::Value => CompletionKind::Value,
        B::EnumMember => CompletionKind::EnumMember,
        B::Function => CompletionKind::Function,
        B::Reference => CompletionKind::Reference,
        B::Keyword => CompletionKind::Keyword,
        B::Snippet => CompletionKind::Snippet,
        B::File => CompletionKind::File,
        B::Folder => CompletionKind::Folder,
        B::Module => CompletionKind::Module,
        B::Method => CompletionKind::Method,
        B::Field => CompletionKind::Field,
    }
}
