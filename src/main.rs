//! The `gemba` command line. Each subcommand calls into the library and
//! decides how to print diagnostics and which exit code to return:
//! 0 success (warnings allowed), 1 content errors, 2 usage errors.

use clap::{Parser, Subcommand, ValueEnum};
use gemba::model::{Kind, Visibility};
use gemba::site::{self, BuildOptions, Outcome};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "gemba",
    version,
    about = "Compile strategy playbooks and experiment logs into a static site"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Audience {
    Public,
    Internal,
}

#[derive(clap::Args, Clone)]
struct SiteArgs {
    /// The site folder (holds gemba.yaml and content/)
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Include drafts
    #[arg(long)]
    drafts: bool,
    /// Do not read git history; file times stand in
    #[arg(long)]
    no_git: bool,
    /// Treat warnings as errors
    #[arg(long)]
    deny_warnings: bool,
    /// Print every warning (by default, past five of a kind they are counted)
    #[arg(long)]
    verbose: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new site with example content
    Init {
        /// Folder to create (default: the current folder, which must be empty)
        dir: Option<PathBuf>,
        /// No example content: an empty site with a home page that says how to start
        #[arg(long)]
        empty: bool,
    },
    /// Build the site into the output folder
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Output folder (default: ROOT/public)
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Leave out internal items (`public`) or build everything (`internal`)
        #[arg(long, value_enum)]
        audience: Option<Audience>,
        /// Base URL for links, overriding gemba.yaml
        #[arg(long)]
        base_url: Option<String>,
        /// Replace an output folder gemba did not create
        #[arg(long)]
        force: bool,
        /// Print how long each phase took
        #[arg(long)]
        timings: bool,
    },
    /// Validate everything and write nothing
    Check {
        #[command(flatten)]
        site: SiteArgs,
        #[arg(long, value_enum)]
        audience: Option<Audience>,
    },
    /// Language server over stdio for editors: diagnostics as you type,
    /// completion, go to definition, references, hover, rename
    Lsp,
    /// Build, serve on localhost, rebuild on change and reload the browser
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; anything but loopback makes the site reachable by others
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Open the site in a browser
        #[arg(long)]
        open: bool,
        /// Print how long each phase of every rebuild took
        #[arg(long)]
        timings: bool,
    },
    /// Write only the search index into a folder (used by `serve`)
    #[command(hide = true)]
    SearchIndex {
        #[command(flatten)]
        site: SiteArgs,
        #[arg(long)]
        out: PathBuf,
        /// An earlier index whose unchanged bundles are taken over
        #[arg(long)]
        earlier: Option<PathBuf>,
    },
    /// Create a new playbook, hypothesis or experiment
    New {
        #[arg(value_parser = ["playbook", "hypothesis", "experiment"])]
        kind: String,
        title: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Init { dir, empty } => {
            let dir = dir.unwrap_or_else(|| PathBuf::from("."));
            match gemba::scaffold::init(&dir, empty) {
                Ok(()) => {
                    println!(
                        "Created a new site in {}. Next: cd {} && gemba serve",
                        dir.display(),
                        dir.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => usage_error(&e),
            }
        }
        Command::New { kind, title, root } => {
            let kind = Kind::parse(&kind).unwrap_or(Kind::Experiment);
            let today = jiff::Zoned::now().date().to_string();
            match gemba::scaffold::new_file(&root, kind, &title, &today) {
                Ok(path) => {
                    println!("Created {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => usage_error(&e),
            }
        }
        Command::Build {
            site,
            output,
            audience,
            base_url,
            force,
            timings,
        } => {
            let opts = options(&site, output, audience, base_url, force, timings);
            let start = std::time::Instant::now();
            let outcome = site::build(&opts, site.deny_warnings);
            let code = report(&opts, &outcome, &site);
            if code == ExitCode::SUCCESS {
                let plural =
                    |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
                eprintln!(
                    "Built {}, {} into {} in {} ms",
                    plural(outcome.pages, "document"),
                    plural(html_pages(&opts.output_dir()), "page"),
                    opts.output_dir().display(),
                    start.elapsed().as_millis()
                );
            }
            code
        }
        Command::Check { site, audience } => {
            let opts = options(&site, None, audience, None, false, false);
            let outcome = site::check(&opts);
            let code = report(&opts, &outcome, &site);
            if code == ExitCode::SUCCESS {
                eprintln!(
                    "Checked {} file{}: no errors",
                    outcome.pages,
                    if outcome.pages == 1 { "" } else { "s" }
                );
            }
            code
        }
        Command::Lsp => match gemba::lsp::run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        Command::SearchIndex { site, out, earlier } => {
            let mut opts = options(&site, None, None, None, false, false);
            opts.outputs = gemba::site::Outputs::SearchOnly;
            opts.earlier_output = earlier;
            stop_with_parent(out.clone());
            let sink = gemba::write::DiskSink::new(out);
            let outcome = gemba::site::compile(&opts, &sink);
            if outcome.diagnostics.has_errors() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Serve {
            site,
            port,
            bind,
            open,
            timings,
        } => {
            let opts = options(&site, None, None, None, false, timings);
            match gemba::serve::serve(opts, &bind, port, open, site.verbose) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => usage_error(&e),
            }
        }
    }
}

/// `search-index` runs as `serve`'s child: when `serve` goes away (killed,
/// not stopped), the index is of no use, so the child removes its output
/// folder and ends too.
fn stop_with_parent(out: PathBuf) {
    #[cfg(unix)]
    {
        let parent = std::os::unix::process::parent_id();
        std::thread::spawn(move || loop {
            std::thread::sleep(std::time::Duration::from_millis(200));
            if std::os::unix::process::parent_id() != parent {
                let _ = std::fs::remove_dir_all(&out);
                std::process::exit(1);
            }
        });
    }
    #[cfg(not(unix))]
    let _ = out;
}

fn options(
    site: &SiteArgs,
    output: Option<PathBuf>,
    audience: Option<Audience>,
    base_url: Option<String>,
    force: bool,
    timings: bool,
) -> BuildOptions {
    BuildOptions {
        root: site.root.clone(),
        output,
        drafts: site.drafts,
        audience: audience.map(|a| match a {
            Audience::Public => Visibility::Public,
            Audience::Internal => Visibility::Internal,
        }),
        base_url,
        no_git: site.no_git,
        force,
        live_reload: String::new(),
        outputs: Default::default(),
        timings,
        earlier_output: None,
        page_keys: false,
    }
}

fn report(opts: &BuildOptions, outcome: &Outcome, site: &SiteArgs) -> ExitCode {
    let deny_warnings = site.deny_warnings;
    if let Some(e) = &outcome.usage_error {
        return usage_error(e);
    }
    let root = std::path::Path::new("");
    let text = if site.verbose {
        outcome.diagnostics.render(root)
    } else {
        outcome
            .diagnostics
            .render_grouped(root, gemba::diagnostics::Diagnostics::WARNINGS_OF_A_KIND)
    };
    if !text.is_empty() {
        eprint!("{}", colorize(&text));
    }
    if opts.timings {
        for phase in &outcome.timings {
            eprintln!("{phase}");
        }
    }
    let failed = outcome.diagnostics.has_errors()
        || (deny_warnings && outcome.diagnostics.warning_count() > 0);
    if failed {
        eprintln!("Nothing was written; the previous output is unchanged.");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn colorize(text: &str) -> String {
    if !std::io::stderr().is_terminal() || std::env::var_os("NO_COLOR").is_some() {
        return text.to_string();
    }
    text.replace(": error:", ": \x1b[1;31merror\x1b[0m:")
        .replace(": warning:", ": \x1b[1;33mwarning\x1b[0m:")
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// The HTML pages in a built output: what the build wrote for readers
/// (documents' pages, lists, taxonomy pages, redirects), the search index's
/// own files aside.
fn html_pages(output: &std::path::Path) -> usize {
    walkdir::WalkDir::new(output)
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || e.file_name() != "pagefind")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .count()
}
