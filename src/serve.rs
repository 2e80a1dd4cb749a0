//! `gemba serve`: build into memory, serve over HTTP (axum on tokio), watch
//! the site (notify), rebuild on change and push a reload to open pages over
//! server-sent events. A failed rebuild keeps the last good site and shows
//! the diagnostics in an overlay until the file is fixed.

use crate::site::{compile, BuildOptions, Outputs};
use crate::write::MemorySink;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use notify_debouncer_full::{new_debouncer, notify::RecursiveMode, DebounceEventResult};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

const EVENTS_PATH: &str = "/__gemba/events";
const SEARCH_QUIET_MS: u64 = 1500;

/// The script `serve` injects into every page; never present in `build`.
pub fn live_reload_script() -> String {
    format!(
        r#"<script>(function(){{var es=new EventSource("{EVENTS_PATH}");
es.addEventListener("reload",function(){{location.reload();}});
es.addEventListener("errors",function(e){{var o=document.getElementById("gemba-overlay");
if(!o){{o=document.createElement("div");o.id="gemba-overlay";o.setAttribute("role","alert");
o.style.cssText="position:fixed;inset:0;z-index:99999;background:rgba(20,20,24,.94);color:#f5f5f5;padding:2rem;overflow:auto;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap";
document.body.appendChild(o);}}o.textContent="gemba: the last change did not build\n\n"+e.data;}});}})();</script>"#
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
    files: RwLock<Arc<BTreeMap<String, Vec<u8>>>>,
    errors: RwLock<Option<String>>,
    events: broadcast::Sender<(&'static str, String)>,
    /// Bumped on every successful page build; a search index built for an
    /// older generation is dropped.
    generation: std::sync::atomic::AtomicU64,
}

/// Compile the site into memory. Returns the files, or the diagnostics text.
fn build_in_memory(opts: &BuildOptions) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let sink = MemorySink::default();
    let outcome = compile(opts, &sink);
    let text = outcome.diagnostics.render(Path::new(""));
    if !text.is_empty() {
        eprint!("{text}");
    }
    if outcome.diagnostics.has_errors() {
        return Err(text);
    }
    Ok(sink.files.into_inner().unwrap_or_default())
}

/// Build the search index in a child process at the lowest CPU priority, so
/// that page rebuilds keep the processor while it runs; `still_wanted` is
/// polled, and the child is stopped once a newer edit makes it stale.
fn build_search_index(
    opts: &BuildOptions,
    still_wanted: &dyn Fn() -> bool,
) -> Option<BTreeMap<String, Vec<u8>>> {
    let out = tempfile::Builder::new()
        .prefix("gemba-serve-index-")
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
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(out.path()).into_iter().flatten() {
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(out.path()).ok()?;
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            files.insert(rel, std::fs::read(entry.path()).ok()?);
        }
    }
    still_wanted().then_some(files)
}

/// Pages first, search index after: a page edit is served as soon as its
/// pages are rendered, and the index follows on a background thread.
fn publish_pages(opts: &BuildOptions, shared: &Arc<Shared>) -> Result<bool, String> {
    let pages_opts = BuildOptions {
        outputs: Outputs::PagesOnly,
        ..opts.clone()
    };
    let mut files = build_in_memory(&pages_opts)?;
    let changed = {
        let old = shared.files.read().expect("lock");
        // Keep the previous search index until the new one is ready.
        for (k, v) in old.range("pagefind/".to_string()..) {
            if !k.starts_with("pagefind/") {
                break;
            }
            files.insert(k.clone(), v.clone());
        }
        files.len() != old.len() || files.iter().any(|(k, v)| old.get(k) != Some(v))
    };
    *shared.files.write().expect("lock") = Arc::new(files);
    let generation = shared
        .generation
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        + 1;
    let search_opts = BuildOptions {
        outputs: Outputs::SearchOnly,
        ..opts.clone()
    };
    let shared = Arc::clone(shared);
    std::thread::spawn(move || {
        // Wait for a quiet moment: while a writer keeps typing, the CPU goes
        // to the pages, and only the last edit's index is built.
        if generation > 1 {
            std::thread::sleep(Duration::from_millis(SEARCH_QUIET_MS));
        }
        if shared.generation.load(std::sync::atomic::Ordering::SeqCst) != generation {
            return;
        }
        let current = || shared.generation.load(std::sync::atomic::Ordering::SeqCst) == generation;
        let Some(index) = build_search_index(&search_opts, &current) else {
            return;
        };
        let mut guard = shared.files.write().expect("lock");
        let mut files: BTreeMap<String, Vec<u8>> = guard
            .iter()
            .filter(|(k, _)| !k.starts_with("pagefind/"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        files.extend(
            index
                .into_iter()
                .filter(|(k, _)| k.starts_with("pagefind/")),
        );
        *guard = Arc::new(files);
    });
    Ok(changed)
}

pub fn serve(mut opts: BuildOptions, bind: &str, port: u16, open: bool) -> Result<(), String> {
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

    let (events, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        files: RwLock::new(Arc::new(BTreeMap::new())),
        errors: RwLock::new(None),
        events,
        generation: std::sync::atomic::AtomicU64::new(0),
    });
    let start = Instant::now();
    if let Err(text) = publish_pages(&opts, &shared) {
        *shared.errors.write().expect("lock") = Some(text);
    }
    eprintln!(
        "Built in {} ms. Serving on http://{local}/ (Ctrl-C to stop)",
        start.elapsed().as_millis()
    );

    let watcher_shared = Arc::clone(&shared);
    let watch_opts = opts.clone();
    let root = opts
        .root
        .canonicalize()
        .unwrap_or_else(|_| opts.root.clone());
    let output = root.join("public");
    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer =
        new_debouncer(Duration::from_millis(30), None, tx).map_err(|e| e.to_string())?;
    debouncer
        .watch(&root, RecursiveMode::Recursive)
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    std::thread::spawn(move || {
        for result in rx {
            let Ok(events) = result else { continue };
            let mut kinds: Vec<ChangeKind> = events
                .iter()
                .filter(|e| is_edit(&e.event.kind))
                .flat_map(|e| e.paths.iter())
                .filter_map(|p| classify(&root, &output, p))
                .collect();
            kinds.sort();
            kinds.dedup();
            if kinds.is_empty() {
                continue;
            }
            rebuild(&watch_opts, &watcher_shared, &kinds);
        }
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
            .route(EVENTS_PATH, get(events_handler))
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

fn rebuild(opts: &BuildOptions, shared: &Arc<Shared>, kinds: &[ChangeKind]) {
    let start = Instant::now();
    match publish_pages(opts, shared) {
        Ok(changed) => {
            let had_errors = shared.errors.write().expect("lock").take().is_some();
            eprintln!("Rebuilt ({kinds:?}) in {} ms", start.elapsed().as_millis());
            if changed || had_errors {
                // Browsers drop events with empty data.
                let _ = shared.events.send(("reload", "reload".to_string()));
            }
        }
        Err(text) => {
            *shared.errors.write().expect("lock") = Some(text.clone());
            let _ = shared.events.send(("errors", text));
        }
    }
}

async fn events_handler(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let pending = shared.errors.read().expect("lock").clone();
    Sse::new(event_stream(pending, shared.events.subscribe()))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// An SSE stream: the pending error report first (if any), then each event.
fn event_stream(
    pending: Option<String>,
    rx: broadcast::Receiver<(&'static str, String)>,
) -> impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>> {
    let initial =
        futures_util::stream::iter(pending.map(|p| Ok(Event::default().event("errors").data(p))));
    let updates = futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok((name, data)) => return Some((Ok(Event::default().event(name).data(data)), rx)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    futures_util::StreamExt::chain(initial, updates)
}

/// Map a request path to a file of the built site. Anything that could step
/// outside it (`..`, backslashes, NUL) finds nothing.
pub fn lookup_path(raw_path: &str) -> Option<String> {
    let decoded = percent_decode(raw_path)?;
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

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

async fn file_handler(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let files = shared.files.read().expect("lock").clone();
    let path = req.uri().path().to_string();
    let Some(key) = lookup_path(&path) else {
        return not_found(&files);
    };
    if let Some(bytes) = files.get(&key) {
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

fn not_found(files: &BTreeMap<String, Vec<u8>>) -> Response {
    let body = files
        .get("404.html")
        .cloned()
        .unwrap_or_else(|| b"Not found".to_vec());
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
