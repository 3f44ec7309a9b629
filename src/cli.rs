//! The command line: `serve`, `migrate`, `seed`, `import`, `export`, `reindex`, `search`,
//! `recommend`, `token` and `schema`.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use secrecy::ExposeSecret;

use crate::kb::{self, export, KnowledgeBase};
use crate::recommend::{self, RecommendInput};
use crate::search::{Search, SearchRequest, UserQuery};
use crate::settings::{LogFormat, ServeSettings, StorageSettings};
use crate::startup::{prepare_database, Application};
use crate::{auth, db, graphql, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "policy-kb",
    version,
    about = "A GraphQL knowledge base of poverty-governance policy",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub storage: StorageSettings,

    /// Log format.
    #[arg(long, env = "KB_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (GraphiQL at /graphiql). Creates the data dir, migrates the
    /// database and loads the bundled knowledge base into a new database first.
    Serve(ServeSettings),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the bundled knowledge base into the database, unless it already holds one.
    Seed,
    /// Add knowledge-base files (named after their type: cases.yaml, regions.json, ...) to the
    /// database, all or nothing. Entries may refer to each other and to records already there.
    Import {
        /// The files to import.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write the whole knowledge base as files, one per type.
    Export {
        /// `json` can be imported again; `csv` is for spreadsheets; `schema` writes the JSON
        /// Schema of the file format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// The directory to write to (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Rebuild the search index from the database (it also rebuilds itself on start when it
    /// is missing or behind the database).
    Reindex,
    /// Search the knowledge base from the terminal and print the top hits with highlights.
    Search {
        /// What to look for, in Chinese or English: words, "quoted phrases", -exclusions.
        query: String,
        /// How many hits to print.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=100))]
        first: u16,
    },
    /// Recommend measures for a situation and print the ranked plan with its paths.
    Recommend {
        /// The situation in your words, in Chinese or English.
        text: Option<String>,
        /// A cause slug (repeatable), such as `weak-will`.
        #[arg(long = "cause")]
        causes: Vec<String>,
        /// A region slug: cases in or near it come first.
        #[arg(long)]
        region: Option<String>,
        /// How many measures to print.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=50))]
        first: u16,
    },
    /// Manage the API tokens that editing needs (`Authorization: Bearer <token>`).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Print the GraphQL schema (SDL) to stdout.
    Schema,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
    Schema,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it: it is shown this once and stored only as a hash.
    Create {
        /// `editor` may create, update, delete and link records; `admin` may also revert.
        #[arg(long, value_enum)]
        role: TokenRole,
        /// Who holds it (letters, digits, - _ . @); revisions name the author by it.
        #[arg(long)]
        name: String,
    },
    /// List the tokens: name, role, created, revoked.
    List,
    /// Revoke a token by name; it stops working at once, on every replica.
    Revoke { name: String },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TokenRole {
    Editor,
    Admin,
}

impl From<TokenRole> for auth::Role {
    fn from(role: TokenRole) -> auth::Role {
        match role {
            TokenRole::Editor => auth::Role::Editor,
            TokenRole::Admin => auth::Role::Admin,
        }
    }
}

async fn token(storage: &StorageSettings, command: TokenCommand) -> anyhow::Result<()> {
    let db = db::connect(storage).await?;
    db::migrate(&db).await?;
    match command {
        TokenCommand::Create { role, name } => {
            let token = auth::create(&db, &name, role.into()).await?;
            eprintln!(
                "created the {} token '{}'; it will not be shown again:",
                auth::Role::from(role),
                name.trim()
            );
            println!("{}", token.expose_secret());
        }
        TokenCommand::List => {
            for row in auth::list(&db).await? {
                let state = match &row.revoked_at {
                    Some(at) => format!("revoked {at}"),
                    None => "active".to_string(),
                };
                println!(
                    "{}\t{}\tcreated {}\t{state}",
                    row.name, row.role, row.created_at
                );
            }
        }
        TokenCommand::Revoke { name } => {
            auth::revoke(&db, &name).await?;
            println!("revoked the token '{name}'");
        }
    }
    Ok(())
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let _flush_logs_on_exit = telemetry::init(cli.log_format);
    match cli.command {
        Command::Serve(serve) => {
            Application::build(&cli.storage, &serve)
                .await?
                .run_until_stopped()
                .await?
        }
        Command::Migrate => {
            let db = db::connect(&cli.storage).await?;
            db::migrate(&db).await?;
            println!(
                "the database at {} is up to date",
                db::redact(cli.storage.database_url().expose_secret())
            );
        }
        Command::Seed => {
            let db = db::connect(&cli.storage).await?;
            db::migrate(&db).await?;
            println!("{}", kb::seed_bundled(&db).await?);
        }
        Command::Import { files } => import(&cli.storage, &files).await?,
        Command::Export { format, out } => export(&cli.storage, format, &out).await?,
        Command::Reindex => reindex(&cli.storage).await?,
        Command::Search { query, first } => search(&cli.storage, &query, first.into()).await?,
        Command::Recommend {
            text,
            causes,
            region,
            first,
        } => {
            recommend_cli(
                &cli.storage,
                RecommendInput {
                    causes,
                    text,
                    region,
                    first: first.into(),
                },
            )
            .await?
        }
        Command::Schema => print!("{}", graphql::sdl()),
        Command::Token(command) => token(&cli.storage, command).await?,
    }
    Ok(())
}

/// A progress bar on a terminal; nothing at all otherwise (logs and pipes stay clean).
fn progress_bar(len: usize, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64).with_message(what.to_string());
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

async fn reindex(storage: &StorageSettings) -> anyhow::Result<()> {
    let db = prepare_database(storage).await?;
    let search = Search::open(&storage.data_dir)?;
    let bar = progress_bar(0, "indexing");
    let progress = bar.clone();
    let documents = search
        .reindex(&db, |total| bar.set_length(total), move |n| progress.inc(n))
        .await?;
    bar.finish_and_clear();
    println!("indexed {documents} records");
    Ok(())
}

async fn search(storage: &StorageSettings, text: &str, first: usize) -> anyhow::Result<()> {
    let query = UserQuery::parse(text)?;
    let db = prepare_database(storage).await?;
    let search = Search::open(&storage.data_dir)?;
    // A running server owns the index writer: then search what the index holds.
    if let Err(err) = search.ensure_current(&db).await {
        eprintln!("warning: the search index could not be brought up to date ({err}); results may be stale");
    }
    let request = SearchRequest {
        query,
        limit: first,
        without_facets: true,
        ..Default::default()
    };
    let results = search.search(request).await?;
    let terminal = std::io::stdout().is_terminal();
    let (on, off) = if terminal {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    println!("{} records match {text:?}", results.total);
    for (rank, hit) in results.hits.iter().enumerate() {
        println!(
            "\n{:>2}. {} {}  ({} {}, score {:.2})",
            rank + 1,
            hit.title.0,
            hit.title.1,
            hit.kind.as_str(),
            hit.slug,
            hit.score
        );
        for highlight in &hit.highlights {
            let text = highlight
                .html
                .replace("<mark>", on)
                .replace("</mark>", off)
                .replace('\n', " ");
            println!(
                "    {} [{}]: {}",
                highlight.field,
                highlight.lang.code(),
                unescape(&text)
            );
        }
    }
    Ok(())
}

async fn recommend_cli(storage: &StorageSettings, input: RecommendInput) -> anyhow::Result<()> {
    let db = prepare_database(storage).await?;
    let search = Search::open(&storage.data_dir)?;
    if let Err(err) = search.ensure_current(&db).await {
        eprintln!("warning: the search index could not be brought up to date ({err}); results may be stale");
    }
    let plan = recommend::recommend(&db, &search, &Default::default(), input).await?;
    if !plan.understood {
        println!(
            "Nothing in the knowledge base matches this situation (read: {}); nothing to recommend.",
            plan.read.join(" ")
        );
        return Ok(());
    }
    for m in &plan.matched_terms {
        println!(
            "  \"{}\" is \"{}\" of {} {} [{}]",
            m.term,
            m.name,
            m.kind.as_str(),
            m.title.1,
            m.slug
        );
    }
    println!("Read as:");
    for m in &plan.matched_causes {
        let terms = if m.matched_terms.is_empty() {
            String::new()
        } else {
            format!(" (on: {})", m.matched_terms.join(", "))
        };
        println!(
            "  {:.2}  {} {} [{}]{terms}",
            m.score, m.cause.name_zh, m.cause.name_en, m.cause.slug
        );
    }
    for (rank, item) in plan.items.iter().enumerate() {
        println!(
            "\n{}. {} / {}  [{}, score {:.2}]",
            rank + 1,
            item.measure.title_zh,
            item.measure.title_en,
            item.strategy.slug,
            item.score
        );
        for path in item.paths.iter().take(3) {
            let steps: Vec<String> = path
                .iter()
                .map(|s| format!("{} ({})", s.title.1, s.kind.as_str()))
                .collect();
            println!("   path: {}", steps.join(" -> "));
        }
        println!("   why: {}", item.rationale.1);
        println!("   为何：{}", item.rationale.0);
    }
    Ok(())
}

/// Highlights are HTML-escaped for browsers; a terminal shows the text itself.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

async fn import(storage: &StorageSettings, files: &[PathBuf]) -> anyhow::Result<()> {
    // Cases in JSON (the files that grow to 100,000 entries) are streamed into the database as
    // they are parsed; every other file is read whole, JSON without holding its text.
    let (streamed, whole): (Vec<&PathBuf>, Vec<&PathBuf>) = files
        .iter()
        .partition(|path| path.file_name().is_some_and(|name| name == "cases.json"));
    let mut knowledge = KnowledgeBase::default();
    let mut names = kb::FileNames::default();
    for path in whole {
        let name = path.display().to_string();
        knowledge.add_file(&mut names, &name, kb::Contents::File(path))?;
    }
    let db = db::connect(storage).await?;
    db::migrate(&db).await?;
    let bar = progress_bar(knowledge.len(), "importing");
    let cases = (!streamed.is_empty())
        .then(|| kb::CaseStream::read(&mut names, streamed.into_iter().cloned().collect()));
    if cases.is_some() {
        // How many cases the files hold is known only once they are read.
        bar.set_length(0);
    }
    // Under the write lock, like every edit, so change-log positions follow commit order.
    let txn = db::begin_write(&db).await?;
    let report = kb::load_with(&txn, knowledge, cases, &names, &mut |n| {
        bar.inc_length(if bar.length() > Some(bar.position()) {
            0
        } else {
            n
        });
        bar.inc(n)
    })
    .await;
    bar.finish_and_clear();
    // On error the transaction is dropped, which rolls it back: nothing was written.
    let report = report.context("import failed; nothing was written")?;
    txn.commit().await?;
    println!("imported {report}");
    Ok(())
}

async fn export(
    storage: &StorageSettings,
    format: ExportFormat,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let files = match format {
        ExportFormat::Schema => export::schema_files()?,
        ExportFormat::Json | ExportFormat::Csv => {
            let db = prepare_database(storage).await?;
            let knowledge = kb::dump(&db).await?;
            match format {
                ExportFormat::Json => export::json_files(&knowledge)?,
                _ => export::csv_files(&knowledge)?,
            }
        }
    };
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let bar = progress_bar(files.len(), "exporting");
    for file in &files {
        let path = out.join(&file.name);
        std::fs::write(&path, &file.contents)
            .with_context(|| format!("cannot write {}", path.display()))?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!("wrote {} files to {}", files.len(), out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_architecture_map_lists_every_subcommand() {
        let map = include_str!("../ARCHITECTURE.md");
        for command in Cli::command().get_subcommands() {
            let name = format!("`{}`", command.get_name());
            assert!(map.contains(&name), "ARCHITECTURE.md does not list {name}");
        }
    }
}
