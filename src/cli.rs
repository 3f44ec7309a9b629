//! The command line: `serve`, `migrate`, `seed` and `schema`.

use clap::{Parser, Subcommand};

use crate::settings::{LogFormat, ServeSettings, StorageSettings};
use crate::startup::Application;
use crate::{db, graphql, kb, telemetry};

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
    /// Load the bundled knowledge base into the database, unless it was loaded before.
    Seed,
    /// Print the GraphQL schema (SDL) to stdout.
    Schema,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    telemetry::init(cli.log_format);
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
                db::redact(&cli.storage.database_url())
            );
        }
        Command::Seed => {
            let db = db::connect(&cli.storage).await?;
            db::migrate(&db).await?;
            println!("{}", kb::seed_bundled(&db).await?);
        }
        Command::Schema => print!("{}", graphql::sdl()),
    }
    Ok(())
}
