//! `gemba serve`: build into memory, serve over HTTP (axum on tokio), watch
//! the site (notify), rebuild on change and push a reload to open pages over
//! a WebSocket per page. A failed rebuild keeps the last good site and shows
//! the diagnostics in an overlay until the file is fixed.

use crate::diagnostics::Diagnostics;
use crate::incremental::{Files, Session, Update};
use crate::site::{BuildOptions, Outputs};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use notify_debouncer_full::{new_debouncer, notify::RecursiveMode, DebounceEventResult};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

const LIVE_PATH: &str = "/__gemba/live";
const SEARCH_QUIET_MS: u64 = 1500;
/// How long the watcher waits for a burst of file events to end. Editors
/// save in a few events within a millisecond or two.
const DEBOUNCE_MS: u64 = 10;

/// The script `serve` injects into every page; never present in `build`.
/// It listens on a WebSocket, which a browser does not count among the six
/// HTTP connections it keeps per host, so any number of preview tabs stay
/// live and loadable; it reconnects when the server comes back.
pub fn live_reload_script() -> String {
    format!(
        r#"<script>(function(){{function show(t){{var o=document.getElementById("gemba-overlay");
if(!o){{o=document.createElement("div");o.id="gemba-overlay";o.setAttribute("role","alert");
o.style.cssText="position:fixed;inset:0;z-index:99999;background:rgba(20,20,24,.94);color:#f5f5f5;padding:2rem;overflow:auto;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap";
document.body.appendChild(o);}}o.textContent="gemba: the last change did not build\n\n"+t;}}
function connect(){{var ws=new WebSocket((location.protocol==="https:"?"wss://":"ws://")+location.host+"{LIVE_PATH}");
ws.onopen=function(){{document.documentElement.dataset.gembaLive="open";}};
ws.onmessage=function(m){{var d=JSON.parse(m.data);if(d.event==="reload")location.reload();else if(d.event==="errors")show(d.data);}};
ws.onclose=function(){{document.documentElement.dataset.gembaLive="closed";setTimeout(connect,1000);}};}}
connect();}})();</script>"#
    )
}

/// What kind of change a batch of file events is, decided before acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Content,
    Template,
    Static,
    Config,
}

/// Classify a changed path relative to the site root; `None` for paths
/// gemba does not read (the output folder, editor backups, hidden files).
pub fn classify(root: &Path, output: &Path, path: &Path) -> Option<ChangeKind> {
    if path.starts_with(output) {
        return None;
    }
    let rel = path.strip_prefix(root).ok()?;
    let name = rel.file_name()?.to_string_lossy();
    if name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
    {
        return None;
    }
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    match first.as_str() {
        "content" => Some(ChangeKind::Content),
        "templates" => Some(ChangeKind::Template),
        "static" => Some(ChangeKind::Static),
        "themes" if rel.components().any(|c| c.as_os_str() == "templates") => {
            Some(ChangeKind::Template)
        }
        "themes" => Some(ChangeKind::Static),
        "gemba.yaml" => Some(ChangeKind::Config),
        _ => None,
    }
}

/// Reads (our own build opens every file) and metadata changes are not edits.
fn is_edit(kind: &notify_debouncer_full::notify::EventKind) -> bool {
    use notify_debouncer_full::notify::event::{EventKind, ModifyKind};
    matches!(
        kind,
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any
    ) || matches!(kind, EventKind::Modify(m) if !matches!(m, ModifyKind::Metadata(_)))
}

struct Shared {
    /// The pages and data of the last good build.
    pages: RwLock<Arc<Files>>,
    /// The search index, built apart and later.
    search: RwLock<Arc<Files>>,
    errors: RwLock<Option<String>>,
    events: broadcast::Sender<(&'static str, String)>,
    /// Bumped on every successful page build; a search index built for an
    /// older generation is dropped.
    generation: std::sync::atomic::AtomicU64,
    /// The folder of the search index being served: the next index takes
    /// over its bundles whose pages did not change.
    index_dir: std::sync::Mutex<Option<tempfile::TempDir>>,
    /// What the terminal was last told.
    reporter: std::sync::Mutex<Reporter>,
}

/// What `serve` prints after each rebuild: the first time, the report
/// grouped as `build` groups it; after that, only the problems that are new
/// and how many were fixed, never the whole report again on every save.
/// `--verbose` prints every problem every time.
struct Reporter {
    verbose: bool,
    last: Option<Diagnostics>,
}

impl Reporter {
    fn report(&mut self, diagnostics: &Diagnostics) -> String {
        let root = Path::new("");
        let text = match &self.last {
            _ if self.verbose => diagnostics.render(root),
            None => diagnostics.render_grouped(root, Diagnostics::WARNINGS_OF_A_KIND),
            Some(last) => {
                use std::collections::HashSet;
                let before: HashSet<&crate::diagnostics::Diagnostic> = last.0.iter().collect();
                let now: HashSet<&crate::diagnostics::Diagnostic> = diagnostics.0.iter().collect();
                let new = Diagnostics(
                    diagnostics
                        .0
                        .iter()
                        .filter(|d| !before.contains(d))
                        .cloned()
                        .collect(),
                );
                let fixed = last.0.iter().filter(|d| !now.contains(d)).count();
                if new.0.is_empty() && fixed == 0 {
                    String::new()
                } else {
                    let grouped = new.render_grouped(root, Diagnostics::WARNINGS_OF_A_KIND);
                    // Its own summary counts the new ones only.
                    let body = grouped
                        .strip_suffix(&format!("{}\n", new.summary()))
                        .unwrap_or(&grouped);
                    format!(
                        "{body}{} new, {fixed} fixed; now {}\n",
                        new.0.len(),
                        diagnostics.summary()
                    )
                }
            }
        };
        self.last = Some(diagnostics.clone());
        text
    }
}

const INDEX_DIR_PREFIX: &str = "gemba-serve-index-";

/// Remove the index folders of `serve` processes that no longer run (a
/// server stopped with Ctrl-C takes its index child with it, and the child
/// its folder's clean-up).
fn remove_stale_index_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(INDEX_DIR_PREFIX)
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let proc = Path::new("/proc");
        if proc.is_dir() && !proc.join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Build the search index in a child process at the lowest CPU priority, so
/// that page rebuilds keep the processor while it runs; `still_wanted` is
/// polled, and the child is stopped once a newer edit makes it stale.
fn build_search_index(
    opts: &BuildOptions,
    earlier: Option<&Path>,
    still_wanted: &dyn Fn() -> bool,
) -> Option<(Files, tempfile::TempDir)> {
    let out = tempfile::Builder::new()
        .prefix(&format!("{INDEX_DIR_PREFIX}{}-", std::process::id()))
        .tempdir()
        .ok()?;
    let exe = std::env::current_exe().ok()?;
    let mut args: Vec<std::ffi::OsString> = vec![
        exe.into(),
        "search-index".into(),
        "--no-git".into(),
        "--root".into(),
        opts.root.clone().into(),
        "--out".into(),
        out.path().into(),
    ];
    if opts.drafts {
        args.push("--drafts".into());
    }
    if let Some(earlier) = earlier {
        args.push("--earlier".into());
        args.push(earlier.into());
    }
    let spawn = |program: &str, args: &[std::ffi::OsString]| {
        std::process::Command::new(program)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
    };
    let mut nice_args: Vec<std::ffi::OsString> = vec!["-n".into(), "19".into()];
    nice_args.extend(args.iter().cloned());
    let mut child = spawn("nice", &nice_args)
        .or_else(|_| spawn(&args[0].to_string_lossy(), &args[1..]))
        .ok()?;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) if !still_wanted() => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    let mut files = Files::new();
    for entry in walkdir::WalkDir::new(out.path()).into_iter().flatten() {
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(out.path()).ok()?;
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if rel.starts_with("pagefind/") {
                files.insert(rel, std::fs::read(entry.path()).ok()?.into());
            }
        }
    }
    still_wanted().then_some((files, out))
}

/// Serve the session's pages now; build the search index for them on a
/// background thread once edits pause.
fn publish(session: &Session, shared: &Arc<Shared>) {
    *shared.pages.write().expect("lock") = Arc::new(session.files().clone());
    let generation = shared
        .generation
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        + 1;
    let search_opts = BuildOptions {
        outputs: Outputs::SearchOnly,
        ..session.options().clone()
    };
    let shared = Arc::clone(shared);
    std::thread::spawn(move || {
        // Wait for a quiet moment: while a writer keeps typing, the CPU goes
        // to the pages, and only the last edit's index is built.
        if generation > 1 {
            std::thread::sleep(Duration::from_millis(SEARCH_QUIET_MS));
        }
        let current = || shared.generation.load(std::sync::atomic::Ordering::SeqCst) == generation;
        if !current() {
            return;
        }
        let earlier =
            (shared.index_dir.lock().expect("lock").as_ref()).map(|dir| dir.path().to_path_buf());
        if let Some((index, dir)) = build_search_index(&search_opts, earlier.as_deref(), &current) {
            *shared.search.write().expect("lock") = Arc::new(index);
            *shared.index_dir.lock().expect("lock") = Some(dir);
        }
    });
}

/// Print what changed in a build's diagnostics; `Err` with the full report
/// (for the page overlay) when it failed.
fn report(shared: &Shared, diagnostics: &Diagnostics) -> Result<(), String> {
    let text = shared
        .reporter
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .report(diagnostics);
    if !text.is_empty() {
        eprint!("{text}");
    }
    if diagnostics.has_errors() {
        Err(diagnostics.render(Path::new("")))
    } else {
        Ok(())
    }
}

pub fn serve(
    mut opts: BuildOptions,
    bind: &str,
    port: u16,
    open: bool,
    verbose: bool,
) -> Result<(), String> {
    let addr: std::net::IpAddr = bind
        .parse()
        .map_err(|_| format!("`{bind}` is not an IP address"))?;
    if !addr.is_loopback() {
        eprintln!(
            "warning: listening on {bind}: the site is reachable by other machines on the network"
        );
    }
    let std_listener = std::net::TcpListener::bind((addr, port)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!("port {port} is already in use; choose another with --port")
        } else {
            format!("cannot listen on {bind}:{port}: {e}")
        }
    })?;
    std_listener
        .set_nonblocking(true)
        .map_err(|e| e.to_string())?;
    let local = std_listener.local_addr().map_err(|e| e.to_string())?;
    opts.live_reload = live_reload_script();
    opts.base_url = Some(if addr.is_unspecified() {
        "/".to_string()
    } else {
        format!("http://{local}")
    });

    let root = opts
        .root
        .canonicalize()
        .unwrap_or_else(|_| opts.root.clone());
    // Watched paths come back absolute; the session must speak alike.
    opts.root = root.clone();
    let (events, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        pages: RwLock::new(Arc::new(Files::new())),
        search: RwLock::new(Arc::new(Files::new())),
        errors: RwLock::new(None),
        events,
        generation: std::sync::atomic::AtomicU64::new(0),
        index_dir: std::sync::Mutex::new(None),
        reporter: std::sync::Mutex::new(Reporter {
            verbose,
            last: None,
        }),
    });
    remove_stale_index_dirs();
    let start = Instant::now();
    let session = start_session(&opts, &shared);
    eprintln!(
        "Built in {} ms. Serving on http://{local}/ (Ctrl-C to stop)",
        start.elapsed().as_millis()
    );

    let watcher_shared = Arc::clone(&shared);
    let output = opts.output_dir();
    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer =
        new_debouncer(Duration::from_millis(DEBOUNCE_MS), None, tx).map_err(|e| e.to_string())?;
    debouncer
        .watch(&root, RecursiveMode::Recursive)
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    std::thread::spawn(move || {
        rebuild_on_changes(rx, session, &opts, &watcher_shared, &root, &output)
    });

    if open {
        let url = format!("http://{local}/");
        let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::from_std(std_listener).map_err(|e| e.to_string())?;
        let app = Router::new()
            .route(LIVE_PATH, get(live_handler))
            .fallback(get(file_handler))
            .with_state(shared);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| e.to_string())
    })?;
    drop(debouncer);
    Ok(())
}

/// Sort each batch of watched events into changes and bring the session
/// up to date with them (or start a new one), until the watcher stops.
fn rebuild_on_changes(
    rx: std::sync::mpsc::Receiver<DebounceEventResult>,
    mut session: Option<Session>,
    opts: &BuildOptions,
    watcher_shared: &Arc<Shared>,
    root: &Path,
    output: &Path,
) {
    for result in rx {
        let Ok(events) = result else { continue };
        let mut changes: Vec<(ChangeKind, PathBuf)> = events
            .iter()
            .filter(|e| is_edit(&e.event.kind))
            .flat_map(|e| e.paths.iter())
            .filter_map(|p| Some((classify(root, output, p)?, p.clone())))
            .collect();
        changes.sort();
        changes.dedup();
        if changes.is_empty() {
            continue;
        }
        let start = Instant::now();
        let kinds: BTreeSet<ChangeKind> = changes.iter().map(|(k, _)| *k).collect();
        let scope = match session.as_mut() {
            Some(s) if !s.is_stale() && !kinds.contains(&ChangeKind::Config) => {
                // The theme first (it may render every page), then the
                // content files of the same batch.
                let mut scope = Some("nothing");
                if kinds.iter().any(|k| *k != ChangeKind::Content) {
                    let update = s.reload_theme();
                    scope = finish_update(s, watcher_shared, update);
                }
                let paths: Vec<PathBuf> = changes
                    .into_iter()
                    .filter(|(k, _)| *k == ChangeKind::Content)
                    .map(|(_, p)| p)
                    .collect();
                if scope.is_some() && !s.is_stale() && !paths.is_empty() {
                    let update = s.update_content(&paths);
                    scope = finish_update(s, watcher_shared, update);
                }
                scope
            }
            _ => {
                session = start_session(opts, watcher_shared);
                session.is_some().then_some("everything")
            }
        };
        if let Some(scope) = scope {
            eprintln!(
                "Rebuilt {scope} ({kinds:?}) in {} ms",
                start.elapsed().as_millis()
            );
        }
    }
}

/// A full build into a new session, published when it succeeds.
fn start_session(opts: &BuildOptions, shared: &Arc<Shared>) -> Option<Session> {
    match Session::start(opts) {
        Ok((session, diagnostics)) => {
            let _ = report(shared, &diagnostics);
            publish(&session, shared);
            clear_errors(shared, true);
            Some(session)
        }
        Err(diagnostics) => {
            if let Err(text) = report(shared, &diagnostics) {
                show_errors(shared, text);
            }
            None
        }
    }
}

/// Publish an update's pages, or show its errors. Returns what was redone.
fn finish_update(session: &Session, shared: &Arc<Shared>, update: Update) -> Option<&'static str> {
    if session.options().timings {
        for phase in &update.timings {
            eprintln!("{phase}");
        }
    }
    match report(shared, &update.diagnostics) {
        Ok(()) => {
            let changed = !update.changed.is_empty();
            if changed {
                publish(session, shared);
            }
            clear_errors(shared, changed);
            Some(update.scope)
        }
        Err(text) => {
            show_errors(shared, text);
            None
        }
    }
}

/// Tell open pages to reload when something changed or an error report
/// goes away.
fn clear_errors(shared: &Arc<Shared>, changed: bool) {
    let had_errors = shared.errors.write().expect("lock").take().is_some();
    if changed || had_errors {
        // Browsers drop events with empty data.
        let _ = shared.events.send(("reload", "reload".to_string()));
    }
}

fn show_errors(shared: &Arc<Shared>, text: String) {
    *shared.errors.write().expect("lock") = Some(text.clone());
    let _ = shared.events.send(("errors", text));
}

async fn live_handler(
    ws: WebSocketUpgrade,
    State(shared): State<Arc<Shared>>,
) -> impl IntoResponse {
    ws.on_upgrade(move |socket| live(socket, shared))
}

/// One open page: the pending error report first (if any), then each event
/// as `{"event": name, "data": text}`, until the page goes.
async fn live(mut socket: WebSocket, shared: Arc<Shared>) {
    let message = |name: &str, data: &str| {
        Message::Text(
            serde_json::json!({"event": name, "data": data})
                .to_string()
                .into(),
        )
    };
    let mut rx = shared.events.subscribe();
    let pending = shared.errors.read().expect("lock").clone();
    if let Some(p) = pending {
        if socket.send(message("errors", &p)).await.is_err() {
            return;
        }
    }
    loop {
        tokio::select! {
            event = rx.recv() => match event {
                Ok((name, data)) => {
                    if socket.send(message(name, &data)).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Map a request path to a file of the built site. Anything that could step
/// outside it (`..`, backslashes, NUL) finds nothing.
pub fn lookup_path(raw_path: &str) -> Option<String> {
    let decoded = crate::load::percent_decode(raw_path)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    Some(if decoded.ends_with('/') || joined.is_empty() {
        if joined.is_empty() {
            "index.html".to_string()
        } else {
            format!("{joined}/index.html")
        }
    } else {
        joined
    })
}

async fn file_handler(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let files = shared.pages.read().expect("lock").clone();
    let path = req.uri().path().to_string();
    let Some(key) = lookup_path(&path) else {
        return not_found(&files);
    };
    let search = key
        .starts_with("pagefind/")
        .then(|| shared.search.read().expect("lock").clone());
    if let Some(bytes) = files.get(&key).or_else(|| search.as_ref()?.get(&key)) {
        let mime = mime_guess::from_path(&key).first_or_octet_stream();
        return (
            [
                (header::CONTENT_TYPE, mime.to_string()),
                (header::CACHE_CONTROL, "no-cache".into()),
            ],
            bytes.clone(),
        )
            .into_response();
    }
    // `/experiments/foo` → `/experiments/foo/` when that page exists.
    if !path.ends_with('/') && files.contains_key(&format!("{key}/index.html")) {
        return (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, format!("{path}/"))],
        )
            .into_response();
    }
    not_found(&files)
}

fn not_found(files: &Files) -> Response {
    let body = files
        .get("404.html")
        .cloned()
        .unwrap_or_else(|| bytes::Bytes::from_static(b"Not found"));
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_refuses_escapes() {
        assert_eq!(lookup_path("/").as_deref(), Some("index.html"));
        assert_eq!(
            lookup_path("/experiments/a/").as_deref(),
            Some("experiments/a/index.html")
        );
        assert_eq!(lookup_path("/style.css").as_deref(), Some("style.css"));
        assert_eq!(lookup_path("/../etc/passwd"), None);
        assert_eq!(lookup_path("/%2e%2e/etc/passwd"), None);
        assert_eq!(lookup_path("/a/..%5c..%5cx"), None);
        assert_eq!(lookup_path("/a%00b"), None);
    }

    #[test]
    fn classifies_changes() {
        let root = Path::new("/s");
        let out = Path::new("/s/public");
        assert_eq!(
            classify(root, out, Path::new("/s/content/experiments/a.md")),
            Some(ChangeKind::Content)
        );
        assert_eq!(
            classify(root, out, Path::new("/s/templates/base.html")),
            Some(ChangeKind::Template)
        );
        assert_eq!(
            classify(root, out, Path::new("/s/gemba.yaml")),
            Some(ChangeKind::Config)
        );
        assert_eq!(classify(root, out, Path::new("/s/public/index.html")), None);
        assert_eq!(classify(root, out, Path::new("/s/content/.a.md.swp")), None);
    }
}
