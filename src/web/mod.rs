//! The planners' web app: server-rendered pages in Chinese and English, enhanced by a little
//! JavaScript. No page reads the database: every page executes GraphQL documents
//! (`queries/*.graphql`) in-process through `graphql::Api`, with the same schema, limits and
//! error codes as `POST /graphql`, and shows them in its "view as GraphQL" panel.

mod assets;
mod chart;
mod cite;
mod highlight;
mod i18n;
mod page;
mod pages;
mod params;

use actix_web::{middleware, web};

pub use i18n::Lang;

/// The pages, the assets and GraphiQL, compressed; every other path is a 404 page.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("")
            .wrap(middleware::Compress::default())
            .route("/", web::get().to(pages::root))
            .route("/assets/{name}", web::get().to(assets::serve))
            .route("/graphiql", web::get().to(pages::graphiql))
            .route("/{lang}", web::get().to(pages::lang_root))
            .route("/{lang}/", web::get().to(pages::home))
            .route("/{lang}/search", web::get().to(pages::search))
            .route("/{lang}/recommend", web::get().to(pages::recommend))
            .route("/{lang}/plan", web::get().to(pages::plan))
            .route("/{lang}/plan.md", web::get().to(pages::plan_markdown))
            .route("/{lang}/matrix", web::get().to(pages::matrix))
            .route("/{lang}/survey", web::get().to(pages::survey))
            .route("/{lang}/glossary", web::get().to(pages::glossary))
            .route("/{lang}/{kind}/{slug}", web::get().to(pages::record))
            .default_service(web::to(pages::not_found)),
    );
}
