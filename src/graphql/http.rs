//! The GraphQL endpoints over HTTP: `/graphql` (POST and GET), `/graphiql`, `/schema.graphql`.

use actix_web::{web, HttpResponse};
use async_graphql_actix_web::{GraphQLRequest, GraphQLResponse};

use super::Api;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql))
            .route(web::get().to(graphql)),
    )
    .route("/graphiql", web::get().to(graphiql))
    .route("/schema.graphql", web::get().to(schema));
}

async fn graphql(api: web::Data<Api>, request: GraphQLRequest) -> GraphQLResponse {
    api.execute(request.into_inner()).await.into()
}

async fn graphiql() -> HttpResponse {
    let html = async_graphql::http::GraphiQLSource::build()
        .endpoint("/graphql")
        .title("policy-kb")
        .finish();
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html)
}

async fn schema() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(super::sdl())
}
