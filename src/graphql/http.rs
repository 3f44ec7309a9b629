//! The GraphQL endpoints over HTTP: `/graphql` (POST and GET), `/graphiql`, `/schema.graphql`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql_actix_web::{GraphQLRequest, GraphQLResponse};

use super::Api;
use crate::auth::Credentials;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql))
            .route(web::get().to(graphql)),
    )
    .route("/graphiql", web::get().to(graphiql))
    .route("/schema.graphql", web::get().to(schema));
}

async fn graphql(
    api: web::Data<Api>,
    http: HttpRequest,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let authorization = http
        .headers()
        .get(header::AUTHORIZATION)
        .map(|value| value.to_str().unwrap_or_default());
    let credentials = Credentials::from_header(authorization);
    api.execute(request.into_inner().data(credentials))
        .await
        .into()
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
