//! The language server: session state (open documents, negotiated encoding, settings) and one
//! handler per LSP method. A handler converts in (`from_proto`), calls one analysis method under
//! [`Isolation`], and converts out (`to_proto`).
//!
//! Ordering: tower-lsp-server polls handlers concurrently, but it first-polls them in the order the
//! messages arrived. Document changes are therefore applied in the synchronous part of `did_change`
//! (before any `.await`) under a std `Mutex`, which makes them apply strictly in the order received;
//! requests take a snapshot of the current analysis in the same way and so answer for the text as it
//! stood when they arrived.
//!
//! Coalescing: a change does not analyse. It schedules a diagnostics push as a task that runs after
//! the messages already read are handled; if the document has a newer version by then, the task does
//! nothing (the newer change's task publishes). A request analyses the current text itself when it
//! is stale, so answers never lag behind the text, and a burst of queued edits costs one analysis.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use samwise_ide::{self as ide, Analysis, Config, DocKind, LineIndex};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::watch;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::capabilities::{self, SERVER_COMMANDS};
use crate::completion_limit;
use crate::convert::{Encoding, TextView, from_proto, to_proto};
use crate::documents::Document;
use crate::isolate::Isolation;
use crate::settings::Settings;
use crate::workspace_scan;

pub struct Server {
    client: Client,
    iso: Isolation,
    /// Shared with the diagnostics tasks (see the module comment).
    state: Arc<Mutex<State>>,
    /// Set when the session ends (`shutdown`, or the editor closed our stdin). Requests the server
    /// sends to the client race against it: tower-lsp-server waits for every running handler before
    /// it exits, and an answer that will never come must not keep the process alive.
    stopping: watch::Sender<bool>,
}

struct State {
    /// Negotiated once in `initialize`.
    encoding: Encoding,
    docs: HashMap<Uri, Document>,
    /// Settings from `initializationOptions`, used until (and unless) the workspace configuration
    /// provides a `samwise` section.
    init_settings: Settings,
    /// A problem with the initialization options, shown once the client can display messages.
    init_settings_error: Option<String>,
    settings: Settings,
    config: Config,
    roots: Vec<PathBuf>,
    client: ClientFlags,
    /// The last completion answer, so `completionItem/resolve` can find the analysis item again.
    completions: Option<CompletionCache>,
}

#[derive(Default, Clone, Copy)]
struct ClientFlags {
    config_pull: bool,
    config_dynamic_registration: bool,
    hierarchical_symbols: bool,
    snippets: bool,
    /// The client pulls diagnostics itself (`textDocument/diagnostic`); pushing them too would make
    /// it show every finding twice.
    pulls_diagnostics: bool,
    diagnostic_refresh: bool,
}

struct CompletionCache {
    uri: Uri,
    analysis: Arc<Analysis>,
    items: Vec<ide::CompletionItem>,
}

/// The current analysis of one document, taken under the lock and used without it.
struct Snapshot {
    uri: Uri,
    analysis: Arc<Analysis>,
    enc: Encoding,
}

impl Snapshot {
    fn view(&self) -> TextView<'_> {
        TextView { text: self.analysis.text(), index: self.analysis.line_index(), enc: self.enc }
    }
}

/// Params of the `samwise/documentText` request.
#[derive(Debug, Deserialize)]
pub struct DocumentTextParams {
    pub uri: Uri,
}

/// Result of `samwise/documentText`.
#[derive(Debug, Serialize)]
pub struct DocumentTextResult {
    pub version: i32,
    pub text: String,
}

fn internal_error(message: String) -> Error {
    Error { code: ErrorCode::InternalError, message: message.into(), data: None }
}

/// LSP's RequestFailed: the request was valid but cannot be carried out (e.g. a refused rename).
fn request_failed(message: String) -> Error {
    Error { code: ErrorCode::ServerError(-32803), message: message.into(), data: None }
}

impl Server {
    pub fn new(client: Client, iso: Isolation, stopping: watch::Sender<bool>) -> Server {
        Server {
            client,
            iso,
            stopping,
            state: Arc::new(Mutex::new(State {
                encoding: Encoding::Utf16,
                docs: HashMap::new(),
                init_settings: Settings::default(),
                init_settings_error: None,
                settings: Settings::default(),
                config: Config::default(),
                roots: Vec::new(),
                client: ClientFlags::default(),
                completions: None,
            })),
        }
    }

    /// Sends a request to the client and awaits its answer, or `None` once the session is ending.
    async fn ask<T>(&self, request: impl Future<Output = T>) -> Option<T> {
        let mut stopping = self.stopping.subscribe();
        tokio::select! {
            answer = request => Some(answer),
            _ = stopping.wait_for(|stop| *stop) => None,
        }
    }

    /// The state lock. Analysis runs under `catch_unwind`, so a poisoned lock only means a panic
    /// happened between two consistent states; the data is still usable.
    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn run<T>(&self, feature: &str, f: impl FnOnce() -> T) -> Result<T> {
        self.iso.run(feature, f).map_err(|e| internal_error(format!("samwise-lsp: {e} (a bug; the server goes on)")))
    }

    /// The current analysis of `uri`; `None` when the document is not open (requests then answer
    /// empty, as clients send requests for documents they just closed).
    fn snapshot(&self, uri: &Uri) -> Result<Option<Snapshot>> {
        let mut st = self.lock();
        let st = &mut *st;
        let Some(doc) = st.docs.get_mut(uri) else { return Ok(None) };
        doc.ensure_analysed(&st.config, &self.iso);
        match &doc.analysis {
            Ok(analysis) => Ok(Some(Snapshot { uri: uri.clone(), analysis: analysis.clone(), enc: st.encoding })),
            Err(e) => Err(internal_error(format!("samwise-lsp: analysing {} failed: {e}", uri.as_str()))),
        }
    }

    /// Schedules the diagnostics push for version `version` of `uri` (nothing for clients that pull
    /// them). The task first yields, so the messages already read (often more edits) are handled
    /// first; it then publishes only if `version` is still the document's version.
    fn schedule_push(&self, uri: Uri, version: i32) {
        if self.lock().client.pulls_diagnostics {
            return;
        }
        let (state, client, iso) = (self.state.clone(), self.client.clone(), self.iso.clone());
        tokio::spawn(async move {
            tokio::task::yield_now().await;
            let payload = {
                let mut st = lock(&state);
                let st = &mut *st;
                let Some(doc) = st.docs.get_mut(&uri).filter(|d| d.version == version) else { return };
                doc.ensure_analysed(&st.config, &iso);
                lsp_diagnostics(doc, st.encoding)
            };
            match payload {
                Ok(diags) => client.publish_diagnostics(uri, diags, Some(version)).await,
                Err(e) => {
                    client.log_message(MessageType::ERROR, format!("samwise-lsp: {}: {e}", uri.as_str())).await;
                    client.publish_diagnostics(uri, Vec::new(), Some(version)).await;
                }
            }
        });
    }

    /// Applies new settings (already merged), re-analyses every open document if they changed, and
    /// republishes (or asks pulling clients to re-pull) their diagnostics.
    async fn apply_settings(&self, settings: Settings) {
        let (payloads, refresh) = {
            let mut st = self.lock();
            if st.settings == settings {
                return;
            }
            st.config = settings.to_config(st.roots.first().map(PathBuf::as_path));
            st.settings = settings;
            let mut pushes = Vec::new();
            for (uri, doc) in st.docs.iter_mut() {
                doc.mark_stale();
                pushes.push((uri.clone(), doc.version));
            }
            (pushes, st.client.pulls_diagnostics && st.client.diagnostic_refresh)
        };
        for (uri, version) in payloads {
            self.schedule_push(uri, version);
        }
        if refresh {
            let _ = self.ask(self.client.workspace_diagnostic_refresh()).await;
        }
    }

    /// Reads the `samwise` section with `workspace/configuration`, when the client supports it.
    async fn pull_settings(&self) {
        let (supported, init) = {
            let st = self.lock();
            (st.client.config_pull, st.init_settings.clone())
        };
        if !supported {
            return;
        }
        let item = ConfigurationItem { scope_uri: None, section: Some("samwise".into()) };
        match self.ask(self.client.configuration(vec![item])).await {
            Some(Ok(mut values)) if !values.is_empty() => self.settings_from_value(values.swap_remove(0), init).await,
            None | Some(Ok(_)) => {}
            Some(Err(e)) => {
                self.client
                    .log_message(MessageType::WARNING, format!("samwise-lsp: workspace/configuration failed: {e}"))
                    .await;
            }
        }
    }

    /// A `samwise` section replaces the initialization options; `null` (nothing set) falls back to them.
    async fn settings_from_value(&self, value: Value, init: Settings) {
        if value.is_null() {
            return self.apply_settings(init).await;
        }
        match Settings::from_json(value) {
            Ok(settings) => self.apply_settings(settings).await,
            Err(e) => {
                let message = format!(
                    "samwise: {e}. The previous settings stay in effect; fix the `samwise` section of your editor settings."
                );
                self.client.show_message(MessageType::WARNING, message).await;
            }
        }
    }

    /// The text of a location's file: the open document's current text, else the text the
    /// analysis read, else the file on disk.
    fn target_text(
        &self,
        snap: &Snapshot,
        path: Option<&Path>,
        target_text: Option<&Arc<str>>,
    ) -> Option<(Uri, Arc<str>)> {
        let Some(path) = path else { return Some((snap.uri.clone(), snap.analysis.text().clone())) };
        let uri = to_proto::uri(path)?;
        let open = self.lock().docs.get(&uri).map(|d| Arc::<str>::from(d.text()));
        let text =
            open.or_else(|| target_text.cloned()).or_else(|| std::fs::read_to_string(path).ok().map(Arc::from))?;
        Some((uri, text))
    }

    fn locations(&self, snap: &Snapshot, locations: Vec<ide::Location>) -> Vec<Location> {
        locations
            .into_iter()
            .filter_map(|loc| {
                if loc.path.is_none() {
                    return Some(to_proto::location(snap.uri.clone(), snap.view(), loc.range));
                }
                let (uri, text) = self.target_text(snap, loc.path.as_deref(), loc.target_text.as_ref())?;
                let index = LineIndex::new(&text);
                Some(to_proto::location(uri, TextView { text: &text, index: &index, enc: snap.enc }, loc.range))
            })
            .collect()
    }

    fn workspace_edit(&self, snap: &Snapshot, file_edits: Vec<ide::FileEdit>) -> WorkspaceEdit {
        let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
        for fe in file_edits {
            let edits = if fe.path.is_none() {
                Some((snap.uri.clone(), to_proto::text_edits(snap.view(), &fe.edits)))
            } else {
                self.target_text(snap, fe.path.as_deref(), fe.target_text.as_ref()).map(|(uri, text)| {
                    let index = LineIndex::new(&text);
                    (uri, to_proto::text_edits(TextView { text: &text, index: &index, enc: snap.enc }, &fe.edits))
                })
            };
            if let Some((uri, edits)) = edits {
                changes.entry(uri).or_default().extend(edits);
            }
        }
        WorkspaceEdit { changes: Some(changes), ..Default::default() }
    }

    /// `samwise/documentText`: the server's current text of an open document. A test aid (the
    /// ordering test compares it with the client's text after many edits); harmless for editors.
    pub async fn document_text(&self, params: DocumentTextParams) -> Result<DocumentTextResult> {
        let st = self.lock();
        match st.docs.get(&params.uri) {
            Some(doc) => Ok(DocumentTextResult { version: doc.version, text: doc.text() }),
            None => Err(Error::invalid_params(format!("{} is not open", params.uri.as_str()))),
        }
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

fn lsp_diagnostics(doc: &Document, enc: Encoding) -> std::result::Result<Vec<Diagnostic>, String> {
    let (Ok(analysis), Ok(diags)) = (&doc.analysis, &doc.diagnostics) else {
        return Err(doc.diagnostics.as_ref().err().or(doc.analysis.as_ref().err()).cloned().unwrap_or_default());
    };
    let view = TextView { text: analysis.text(), index: analysis.line_index(), enc };
    Ok(diags.iter().map(|d| to_proto::diagnostic(view, d)).collect())
}

fn client_flags(caps: &ClientCapabilities) -> ClientFlags {
    let ws = caps.workspace.as_ref();
    let td = caps.text_document.as_ref();
    ClientFlags {
        config_pull: ws.and_then(|w| w.configuration).unwrap_or(false),
        config_dynamic_registration: ws
            .and_then(|w| w.did_change_configuration.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        hierarchical_symbols: td
            .and_then(|t| t.document_symbol.as_ref())
            .and_then(|s| s.hierarchical_document_symbol_support)
            .unwrap_or(false),
        snippets: td
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false),
        pulls_diagnostics: td.is_some_and(|t| t.diagnostic.is_some()),
        diagnostic_refresh: ws.and_then(|w| w.diagnostics.as_ref()).and_then(|d| d.refresh_support).unwrap_or(false),
    }
}

fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    match &params.workspace_folders {
        Some(folders) => folders.iter().filter_map(|f| from_proto::path(&f.uri)).collect(),
        #[allow(deprecated, reason = "root_uri is how older clients (Neovim 0.7) name the workspace")]
        None => params.root_uri.as_ref().and_then(from_proto::path).into_iter().collect(),
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let enc = Encoding::negotiate(&params.capabilities);
        {
            let mut st = self.lock();
            st.encoding = enc;
            st.client = client_flags(&params.capabilities);
            st.roots = workspace_roots(&params);
            match Settings::from_json(params.initialization_options.clone().unwrap_or(Value::Null)) {
                Ok(settings) => {
                    st.config = settings.to_config(st.roots.first().map(PathBuf::as_path));
                    st.init_settings = settings.clone();
                    st.settings = settings;
                }
                Err(e) => {
                    st.init_settings_error = Some(format!("samwise: initializationOptions: {e}; using defaults."))
                }
            }
        }
        Ok(InitializeResult {
            capabilities: capabilities::server_capabilities(enc),
            server_info: Some(ServerInfo {
                name: "samwise-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let (error, flags) = {
            let mut st = self.lock();
            (st.init_settings_error.take(), st.client)
        };
        if let Some(error) = error {
            self.client.show_message(MessageType::WARNING, error).await;
        }
        // Clients that pull configuration only send didChangeConfiguration after registering for it.
        if flags.config_dynamic_registration {
            let registration = Registration {
                id: "samwise-configuration".into(),
                method: "workspace/didChangeConfiguration".into(),
                register_options: None,
            };
            if let Some(Err(e)) = self.ask(self.client.register_capability(vec![registration])).await {
                self.client
                    .log_message(
                        MessageType::WARNING,
                        format!("samwise-lsp: registering for configuration changes failed: {e}"),
                    )
                    .await;
            }
        }
        self.pull_settings().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.stopping.send_replace(true);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let new = Document::new(&doc.text, doc.version, from_proto::path(&doc.uri));
        self.lock().docs.insert(doc.uri.clone(), new);
        self.schedule_push(doc.uri, doc.version);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        // The change is applied before the first await: see the module comment.
        let applied = {
            let mut st = self.lock();
            let enc = st.encoding;
            st.docs.get_mut(&uri).map(|doc| doc.apply_changes(params.content_changes, version, enc)).is_some()
        };
        if applied {
            self.schedule_push(uri, version);
        } else {
            let message = format!("samwise-lsp: didChange for {}, which is not open; ignored", uri.as_str());
            self.client.log_message(MessageType::WARNING, message).await;
        }
    }

    /// A saved template changes what the template/code cross-checks see for the Python and
    /// JavaScript files it deploys (they read templates from disk), so the open code files are
    /// checked again.
    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let (pushes, refresh) = {
            let mut st = self.lock();
            let st = &mut *st;
            let is_template = |d: &Document| d.analysis.as_ref().is_ok_and(|a| a.kind() == DocKind::Template);
            let Some(saved) = st.docs.get_mut(&params.text_document.uri) else { return };
            saved.ensure_analysed(&st.config, &self.iso);
            if !is_template(saved) {
                return;
            }
            // The others' kinds come from their last analysis (a stale one only when edits are
            // pending, and then they are re-analysed anyway).
            let mut pushes = Vec::new();
            for (uri, doc) in st.docs.iter_mut().filter(|(_, d)| !is_template(d)) {
                doc.mark_stale();
                pushes.push((uri.clone(), doc.version));
            }
            (pushes, st.client.pulls_diagnostics && st.client.diagnostic_refresh)
        };
        for (uri, version) in pushes {
            self.schedule_push(uri, version);
        }
        if refresh {
            let _ = self.ask(self.client.workspace_diagnostic_refresh()).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let push = {
            let mut st = self.lock();
            st.docs.remove(&uri);
            if st.completions.as_ref().is_some_and(|c| c.uri == uri) {
                st.completions = None;
            }
            !st.client.pulls_diagnostics
        };
        if push {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Push-style clients send the settings along; pull-style ones send null and expect a pull.
        let init = self.lock().init_settings.clone();
        match params.settings.get("samwise") {
            Some(section) => self.settings_from_value(section.clone(), init).await,
            None => self.pull_settings().await,
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let mut st = self.lock();
        let removed: Vec<PathBuf> = params.event.removed.iter().filter_map(|f| from_proto::path(&f.uri)).collect();
        st.roots.retain(|r| !removed.contains(r));
        st.roots.extend(params.event.added.iter().filter_map(|f| from_proto::path(&f.uri)));
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let pos = params.text_document_position;
        let Some(snap) = self.snapshot(&pos.text_document.uri)? else { return Ok(None) };
        let offset = from_proto::offset(snap.view(), pos.position);
        let mut items = self.run("completion", || snap.analysis.completions(offset))?;
        let (snippets, limit) = {
            let st = self.lock();
            (st.client.snippets, st.settings.completion_limit())
        };
        let incomplete =
            limit.is_some_and(|limit| completion_limit::apply(snap.analysis.text(), offset, &mut items, limit));
        // Items mostly share one replace range (the word at the cursor): convert each distinct
        // range once.
        let mut last: Option<(ide::TextRange, Range)> = None;
        let lsp_items = items
            .iter()
            .map(|item| {
                let range = match last {
                    Some((from, to)) if from == item.replace_range => to,
                    _ => {
                        let to = to_proto::range(snap.view(), item.replace_range);
                        last = Some((item.replace_range, to));
                        to
                    }
                };
                to_proto::completion_item(item, range, snippets)
            })
            .collect();
        self.lock().completions =
            Some(CompletionCache { uri: snap.uri.clone(), analysis: snap.analysis.clone(), items });
        Ok(Some(match incomplete {
            true => CompletionResponse::List(CompletionList { is_incomplete: true, items: lsp_items }),
            false => CompletionResponse::Array(lsp_items),
        }))
    }

    async fn completion_resolve(&self, mut item: CompletionItem) -> Result<CompletionItem> {
        if item.documentation.is_some() {
            return Ok(item);
        }
        // Only the latest completion list can be resolved. Its items are found again by label, sort
        // text and detail, which identify an item's meaning (and so its documentation); an item of
        // an older list that is not in the latest one is returned as it is.
        let found = self.lock().completions.as_ref().and_then(|c| {
            let same = |it: &&ide::CompletionItem| {
                it.label == item.label
                    && item.sort_text.as_deref() == Some(it.sort_key.as_str())
                    && it.detail == item.detail
            };
            c.items.iter().find(same).map(|it| (c.analysis.clone(), it.clone()))
        });
        if let Some((analysis, analysis_item)) = found {
            let docs = self.run("completionResolve", || analysis.resolve_completion(&analysis_item))?;
            item.documentation = docs.map(to_proto::documentation);
        }
        Ok(item)
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params;
        let Some(snap) = self.snapshot(&pos.text_document.uri)? else { return Ok(None) };
        let offset = from_proto::offset(snap.view(), pos.position);
        let hover = self.run("hover", || snap.analysis.hover(offset))?;
        Ok(hover.map(|h| to_proto::hover(snap.view(), h)))
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let pos = params.text_document_position_params;
        let Some(snap) = self.snapshot(&pos.text_document.uri)? else { return Ok(None) };
        let offset = from_proto::offset(snap.view(), pos.position);
        let help = self.run("signatureHelp", || snap.analysis.signature_help(offset))?;
        Ok(help.map(|h| to_proto::signature_help(snap.enc, h)))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let pos = params.text_document_position_params;
        let Some(snap) = self.snapshot(&pos.text_document.uri)? else { return Ok(None) };
        let offset = from_proto::offset(snap.view(), pos.position);
        let targets = self.run("definition", || snap.analysis.definition(offset))?;
        Ok(Some(GotoDefinitionResponse::Array(self.locations(&snap, targets))))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let pos = params.text_document_position;
        let Some(snap) = self.snapshot(&pos.text_document.uri)? else { return Ok(None) };
        let offset = from_proto::offset(snap.view(), pos.position);
        let include = params.context.include_declaration;
        let refs = self.run("references", || snap.analysis.references(offset, include))?;
        Ok(Some(self.locations(&snap, refs)))
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        let Some(snap) = self.snapshot(&params.text_document.uri)? else { return Ok(None) };
        let offset = from_proto::offset(snap.view(), params.position);
        match self.run("prepareRename", || snap.analysis.prepare_rename(offset))? {
            Ok(range) => Ok(Some(PrepareRenameResponse::Range(to_proto::range(snap.view(), range)))),
            Err(why) => Err(request_failed(why)),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let pos = params.text_document_position;
        let Some(snap) = self.snapshot(&pos.text_document.uri)? else { return Ok(None) };
        let offset = from_proto::offset(snap.view(), pos.position);
        let new_name = params.new_name;
        match self.run("rename", || snap.analysis.rename(offset, &new_name))? {
            Ok(edits) => Ok(Some(self.workspace_edit(&snap, edits))),
            Err(why) => Err(request_failed(why)),
        }
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let Some(snap) = self.snapshot(&params.text_document.uri)? else { return Ok(None) };
        let symbols = self.run("documentSymbol", || snap.analysis.document_symbols())?;
        if self.lock().client.hierarchical_symbols {
            let nested = symbols.iter().map(|s| to_proto::document_symbol(snap.view(), s)).collect();
            return Ok(Some(DocumentSymbolResponse::Nested(nested)));
        }
        let mut flat = Vec::new();
        to_proto::flat_symbols(&snap.uri, snap.view(), &symbols, None, &mut flat);
        Ok(Some(DocumentSymbolResponse::Flat(flat)))
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let (roots, open, config, enc) = {
            let mut st = self.lock();
            let st = &mut *st;
            for doc in st.docs.values_mut() {
                doc.ensure_analysed(&st.config, &self.iso);
            }
            let open: Vec<(Uri, Arc<Analysis>)> = st
                .docs
                .iter()
                .filter_map(|(uri, d)| d.analysis.as_ref().ok().map(|a| (uri.clone(), a.clone())))
                .collect();
            (st.roots.clone(), open, st.config.clone(), st.encoding)
        };
        let iso = self.iso.clone();
        let query = params.query;
        // Walking the workspace is file-system work: keep it off the thread that reads messages.
        let symbols = tokio::task::spawn_blocking(move || workspace_symbols(&roots, open, &config, enc, &iso, &query))
            .await
            .map_err(|e| internal_error(format!("samwise-lsp: workspace symbols failed: {e}")))??;
        Ok(Some(WorkspaceSymbolResponse::Flat(symbols)))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let Some(snap) = self.snapshot(&params.text_document.uri)? else { return Ok(None) };
        let ranges = self.run("foldingRange", || snap.analysis.folding_ranges())?;
        Ok(Some(ranges.into_iter().filter_map(|r| to_proto::folding_range(snap.view(), r)).collect()))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some(snap) = self.snapshot(&params.text_document.uri)? else { return Ok(None) };
        let range = from_proto::range(snap.view(), params.range);
        let actions = self.run("codeAction", || snap.analysis.code_actions(range))?;
        let only = params.context.only.unwrap_or_default();
        let mut out = Vec::new();
        for action in actions {
            let kind = if action.is_quickfix { CodeActionKind::QUICKFIX } else { CodeActionKind::REFACTOR };
            if !only.is_empty() && !only.iter().any(|o| kind.as_str().starts_with(o.as_str())) {
                continue;
            }
            let fixes: Vec<Diagnostic> = params
                .context
                .diagnostics
                .iter()
                .filter(|d| {
                    let code = match &d.code {
                        Some(NumberOrString::String(s)) => Some(s.as_str()),
                        _ => None,
                    };
                    action.diagnostic_code.is_some() && code == action.diagnostic_code.as_deref()
                })
                .cloned()
                .collect();
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: action.title,
                kind: Some(kind),
                diagnostics: (!fixes.is_empty()).then_some(fixes),
                edit: Some(self.workspace_edit(&snap, action.edits)),
                is_preferred: Some(action.is_preferred),
                ..Default::default()
            }));
        }
        Ok(Some(out))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let Some(snap) = self.snapshot(&params.text_document.uri)? else { return Ok(None) };
        let lenses = self.run("codeLens", || snap.analysis.code_lenses())?;
        Ok(Some(lenses.into_iter().map(|l| to_proto::code_lens(snap.view(), l)).collect()))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        if params.command == "samwise.deploy" {
            let token = params.work_done_progress_params.work_done_token;
            return crate::deploy::execute(&self.client, params.arguments, token, self.stopping.subscribe())
                .await
                .map(Some)
                .map_err(|failure| Error {
                    data: failure.missing.map(|setting| serde_json::json!({ "missingSetting": setting })),
                    ..request_failed(failure.message)
                });
        }
        debug_assert!(!SERVER_COMMANDS.contains(&params.command.as_str()), "a declared command needs a handler here");
        Err(Error::invalid_params(format!(
            "samwise-lsp does not run `{}`: the code lens commands samwise.invokeLocally and samwise.debugLocally \
             are run by the editor extension",
            params.command
        )))
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        let items = {
            let mut st = self.lock();
            let st = &mut *st;
            match st.docs.get_mut(&params.text_document.uri) {
                Some(doc) => {
                    doc.ensure_analysed(&st.config, &self.iso);
                    lsp_diagnostics(doc, st.encoding).map_err(|e| internal_error(format!("samwise-lsp: {e}")))?
                }
                None => Vec::new(),
            }
        };
        Ok(DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
            RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: None, items },
            },
        )))
    }
}

/// At most this many workspace symbols are returned: editors show a filtered list anyway.
const MAX_WORKSPACE_SYMBOLS: usize = 1_000;

/// Symbols of the open templates (their current text) and of the templates found on disk.
// `SymbolInformation::deprecated` must be written; `tags` replaces it.
#[allow(deprecated)]
fn workspace_symbols(
    roots: &[PathBuf],
    open: Vec<(Uri, Arc<Analysis>)>,
    config: &Config,
    enc: Encoding,
    iso: &Isolation,
    query: &str,
) -> Result<Vec<SymbolInformation>> {
    // Open documents win over their saved text; a document without a path (an unsaved buffer) is
    // not part of the workspace and cannot be told apart in the ranked list, so it is left out.
    let mut docs: Vec<(Uri, Arc<Analysis>)> =
        open.into_iter().filter(|(_, a)| a.kind() == DocKind::Template && a.path().is_some()).collect();
    for (path, text) in workspace_scan::find_templates(roots, workspace_scan::Limits::default()) {
        let Some(uri) = to_proto::uri(&path) else { continue };
        if docs.iter().any(|(u, _)| *u == uri) {
            continue;
        }
        let analysis =
            iso.run("analysis", || Analysis::new(Some(&path), Arc::from(text), config)).map_err(internal_error)?;
        docs.push((uri, Arc::new(analysis)));
    }
    let analyses: Vec<&Analysis> = docs.iter().map(|(_, a)| a.as_ref()).collect();
    // Ranked by samwise-ide (exact names, then prefixes, then subsequences), so the cap keeps the best.
    let symbols = iso.run("workspaceSymbol", || ide::workspace_symbols(&analyses, query)).map_err(internal_error)?;
    let by_path: HashMap<&Path, &(Uri, Arc<Analysis>)> =
        docs.iter().filter_map(|d| d.1.path().map(|p| (p, d))).collect();
    let out = symbols
        .into_iter()
        .filter_map(|s| {
            let (uri, analysis) = by_path.get(s.path.as_deref()?)?;
            let view = TextView { text: analysis.text(), index: analysis.line_index(), enc };
            Some(SymbolInformation {
                name: s.name,
                kind: to_proto::symbol_kind(s.kind),
                tags: None,
                deprecated: None,
                location: to_proto::location(uri.clone(), view, s.range),
                container_name: s.container,
            })
        })
        .take(MAX_WORKSPACE_SYMBOLS)
        .collect();
    Ok(out)
}
