//! Building the application: database, migrations, bundled data, and the HTTP server.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use sea_orm::DatabaseConnection;
use tracing_actix_web::TracingLogger;

use crate::graphql::Api;
use crate::settings::{ServeSettings, StorageSettings};
use crate::{db, kb, routes};

pub struct Application {
    port: u16,
    server: Server,
    db: DatabaseConnection,
}

impl Application {
    /// Opens and migrates the database, loads the bundled knowledge base into a new one, and
    /// binds the listener (port 0 picks a free port, which `port()` then tells).
    pub async fn build(
        storage: &StorageSettings,
        serve: &ServeSettings,
    ) -> anyhow::Result<Application> {
        let db = prepare_database(storage).await?;
        let listener = TcpListener::bind(serve.bind)
            .with_context(|| format!("cannot listen on {}", serve.bind))?;
        let port = listener.local_addr()?.port();
        let server = run(listener, db.clone())?;
        tracing::info!(address = %listener_address(serve, port), "policy-kb is listening; GraphiQL at /graphiql");
        Ok(Application { port, server, db })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn listener_address(serve: &ServeSettings, port: u16) -> String {
    format!("http://{}:{port}", serve.bind.ip())
}

/// Connects, migrates and seeds: everything `serve` needs before it accepts requests.
pub async fn prepare_database(storage: &StorageSettings) -> anyhow::Result<DatabaseConnection> {
    let db = db::connect(storage).await?;
    db::migrate(&db).await?;
    let outcome = kb::seed_bundled(&db)
        .await
        .context("loading the bundled knowledge base failed")?;
    tracing::info!("{outcome}");
    Ok(db)
}

pub fn run(listener: TcpListener, db: DatabaseConnection) -> anyhow::Result<Server> {
    let api = web::Data::new(Api::new(db.clone(), Api::DEFAULT_BATCH_WINDOW));
    let db = web::Data::new(db);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(TracingLogger::default())
            .app_data(api.clone())
            .app_data(db.clone())
            .configure(routes::configure)
    })
    .listen(listener)?
    .run();
    Ok(server)
}
