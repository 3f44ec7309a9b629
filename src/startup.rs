//! Building the application: database, migrations, bundled data, search index, HTTP server.

use std::net::TcpListener;

use actix_web::dev::{Server, ServerHandle};
use std::sync::Arc;

use actix_web::{middleware, web, App, HttpServer};
use anyhow::Context;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use tokio_util::task::AbortOnDropHandle;

use crate::edge::{self, RateLimit};
use crate::feed::Feed;
use crate::graphql::persisted::Documents;
use crate::graphql::Api;
use crate::metrics::Metrics;
use crate::search::{Freshness, Search};
use crate::settings::{EdgeSettings, ServeSettings, StorageSettings};
use crate::{changes, db, kb, routes};

pub struct Application {
    port: u16,
    server: Server,
    db: DatabaseConnection,
    /// What follows the change log while the server runs: the indexer of this process's search
    /// index, the change feed of its subscribers, and on PostgreSQL the listener that wakes
    /// both on every commit. Aborted when the application is dropped, so a test that drops
    /// it (or a failed start) leaves no task behind holding the index or the database.
    followers: Vec<AbortOnDropHandle<()>>,
}

impl Application {
    /// Opens and migrates the database, loads the bundled knowledge base into a new one, brings
    /// the search index up to date, and binds the listener (port 0 picks a free port, which
    /// `port()` then tells).
    pub async fn build(
        storage: &StorageSettings,
        serve: &ServeSettings,
    ) -> anyhow::Result<Application> {
        let db = prepare_database(storage).await?;
        let search = prepare_search(storage, &db).await?;
        let listener = TcpListener::bind(serve.bind)
            .with_context(|| format!("cannot listen on {}", serve.bind))?;
        let port = listener.local_addr()?.port();
        // Read before the server accepts anyone: every change a subscriber could wait for
        // comes after it.
        let position = changes::last_position(&db).await?;
        let (server, feed) = run(listener, db.clone(), search.clone(), serve.edge.clone())?;
        let mut followers = vec![
            AbortOnDropHandle::new(tokio::spawn(search.clone().follow(db.clone()))),
            AbortOnDropHandle::new(tokio::spawn(feed.clone().follow(db.clone(), position))),
        ];
        if db.get_database_backend() == DatabaseBackend::Postgres {
            let wake = move || {
                search.wake();
                feed.wake();
            };
            followers.push(AbortOnDropHandle::new(tokio::spawn(changes::listen(
                storage.database_url(),
                wake,
            ))));
        }
        tracing::info!(address = %format!("http://{}:{port}", serve.bind.ip()), "policy-kb is listening; GraphiQL at /graphiql");
        Ok(Application {
            port,
            server,
            db,
            followers,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// A handle that stops the server (and so releases its search index).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped, then stops what follows the change log; when it returns, nothing
    /// of this application holds the search index any more.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        for task in self.followers {
            task.abort();
            let _ = task.await;
        }
        served
    }
}

/// Connects, migrates and seeds: everything `serve` needs from the database.
pub async fn prepare_database(storage: &StorageSettings) -> anyhow::Result<DatabaseConnection> {
    let db = db::connect(storage).await?;
    db::migrate(&db).await?;
    let outcome = kb::seed_bundled(&db)
        .await
        .context("loading the bundled knowledge base failed")?;
    tracing::info!("{outcome}");
    Ok(db)
}

/// Opens the search index (loading jieba now, not on the first query) and rebuilds it if it is
/// missing or behind the database.
pub async fn prepare_search(
    storage: &StorageSettings,
    db: &DatabaseConnection,
) -> anyhow::Result<Search> {
    let search = Search::open(&storage.data_dir).context("opening the search index failed")?;
    match search.ensure_current(db).await? {
        Freshness::Current => tracing::info!("the search index is current"),
        Freshness::CaughtUp { changes } => {
            tracing::info!(changes, "applied the change log to the search index")
        }
        Freshness::Rebuilt { documents } => {
            tracing::info!(documents, "rebuilt the search index from the database")
        }
    }
    Ok(search)
}

/// Serves the routes on `listener`, inside the edge: request ids, the access log, metrics and
/// rate limiting, security headers, CORS. Returns the server and the change feed its
/// subscriptions read, for the caller to run.
pub fn run(
    listener: TcpListener,
    db: DatabaseConnection,
    search: Search,
    edge: EdgeSettings,
) -> anyhow::Result<(Server, Feed)> {
    let metrics = Arc::new(Metrics::new());
    let search_data = web::Data::new(search.clone());
    let mut api = Api::new(db.clone(), search, edge.clone(), metrics.clone());
    if let Some(path) = &edge.trusted_documents {
        api = api.trusting(Documents::trusted(path)?);
    }
    let feed = api.feed().clone();
    let api = web::Data::new(api);
    let metrics = web::Data::new(metrics);
    let limits = web::Data::new(RateLimit::new(&edge));
    let db = web::Data::new(db);
    let server = HttpServer::new(move || {
        // Innermost first: rate limiting inside CORS (preflights are answered before it, and a
        // 429 carries CORS and security headers), the request id, metrics and log outermost.
        App::new()
            .wrap(middleware::from_fn(edge::limit_rate))
            .wrap(edge::cors(&edge))
            .wrap(edge::security_headers())
            .wrap(middleware::from_fn(edge::observe))
            .app_data(api.clone())
            .app_data(db.clone())
            .app_data(metrics.clone())
            .app_data(limits.clone())
            .app_data(search_data.clone())
            .configure(routes::configure)
    })
    .listen(listener)?
    .run();
    Ok((server, feed))
}
